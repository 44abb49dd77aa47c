total = 0
for i in range(2000):
    for j in range(2000):
        total += i * j
print(total)
