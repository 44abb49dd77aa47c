local function build()
    local parts = {}
    for i = 0, 199999 do
        parts[#parts + 1] = "item " .. i .. " is " .. (i * 2) .. "; "
    end
    return table.concat(parts)
end
print(#build())
