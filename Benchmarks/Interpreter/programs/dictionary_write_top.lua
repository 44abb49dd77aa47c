d = {}
n = 0
for i = 0, 199999 do
    local k = "k" .. (i % 50000)
    if d[k] == nil then n = n + 1 end
    d[k] = i
end
counts = {}
for i = 0, 199999 do
    local k = "w" .. (i % 100)
    counts[k] = (counts[k] or 0) + 1
end
print(n, d["k7"] or -1, counts["w3"] or -1)
