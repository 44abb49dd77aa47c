local function run()
    local numbers = {}
    for i = 0, 999999 do numbers[#numbers + 1] = i end
    local mapped = {}
    for _, x in ipairs(numbers) do mapped[#mapped + 1] = x * 2 end
    local filtered = {}
    for _, x in ipairs(mapped) do if x % 3 == 0 then filtered[#filtered + 1] = x end end
    local total = 0
    for _, x in ipairs(filtered) do total = total + x end
    return total
end
print(run())
