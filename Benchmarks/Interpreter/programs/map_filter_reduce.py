from functools import reduce
import operator
def run():
    numbers = list(range(1_000_000))
    return reduce(operator.add, filter(lambda x: x % 3 == 0, map(lambda x: x * 2, numbers)), 0)
print(run())
