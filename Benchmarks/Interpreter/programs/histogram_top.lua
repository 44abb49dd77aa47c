h = {}
for i = 1, 100000 do h[i] = 0 end
for i = 0, 999999 do
    local k = i % 1000 + 1
    h[k] = h[k] + 1
end
print(h[1], h[1000], h[1001])
