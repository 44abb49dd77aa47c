parts = {}
for i = 0, 19999 do
    parts[#parts + 1] = "item " .. i .. " is " .. (i * 2) .. "; "
end
text = table.concat(parts)
print(#text)
