h = {}
for i = 1, 100000 do h[i] = 0 end
for round = 0, 9 do
    for i = 1, 100000 do
        h[i] = h[i] + round
    end
end
print(h[1], h[100000])
