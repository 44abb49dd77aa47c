text = ""
for i in range(20_000):
    text += f"item {i} is {i * 2}; "
print(len(text))
