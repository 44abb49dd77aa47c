def build():
    text = ""
    for i in range(200_000):
        text += f"item {i} is {i * 2}; "
    return text
print(len(build()))
