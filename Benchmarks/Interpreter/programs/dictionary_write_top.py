d = {}
for i in range(200_000):
    d[f"k{i % 50_000}"] = i
counts = {}
for i in range(200_000):
    key = f"w{i % 100}"
    counts[key] = counts.get(key, 0) + 1
print(len(d), d.get("k7", -1), counts.get("w3", -1))
