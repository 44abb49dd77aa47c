from functools import reduce
import operator
numbers = list(range(1_000_000))
total = reduce(operator.add, filter(lambda x: x % 3 == 0, map(lambda x: x * 2, numbers)), 0)
print(total)
