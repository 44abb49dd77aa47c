n = 600
grid = [[0] * n for _ in range(n)]
for i in range(n):
    for j in range(n):
        grid[i][j] = i * j
print(grid[n - 1][n - 1], grid[3][4])
