n = 600
grid = {}
for i = 1, n do
    local row = {}
    for j = 1, n do row[j] = 0 end
    grid[i] = row
end
for i = 0, n - 1 do
    for j = 0, n - 1 do
        grid[i + 1][j + 1] = i * j
    end
end
print(grid[n][n], grid[4][5])
