#!/usr/bin/env python3
"""Generates the labelled synthetic personal-data corpus of Tests/SecurityTests/Fixtures/pii_corpus.jsonl.

usage: scripts/generate-pii-corpus.py [--seed 2026] [--sentences 800] > Tests/SecurityTests/Fixtures/pii_corpus.jsonl

Every value is synthetic: names, addresses and numbers are drawn from a seeded generator; card numbers, IBANs and
Chinese resident IDs get correct check digits (they are valid-looking, not real). Each line is one sentence:
{"text": ..., "entities": [{"type": "EMAIL_ADDRESS", "start": 5, "end": 25}, ...]}, offsets in Python string
positions (Unicode code points). About a third of the sentences are hard negatives: order and invoice numbers, digit
runs that fail the Luhn or ID checksum, version strings, times, prices, product codes, dates that are not birth
dates. Types: EMAIL_ADDRESS, PHONE_NUMBER, CREDIT_CARD, IBAN_CODE, CN_RESIDENT_ID, IP_ADDRESS, URL, DATE_OF_BIRTH.
"""
import argparse
import json
import random
import string

parser = argparse.ArgumentParser()
parser.add_argument("--seed", type=int, default=2026)
parser.add_argument("--sentences", type=int, default=800)
args = parser.parse_args()
rng = random.Random(args.seed)

FIRST = ["jane", "john", "wei", "li", "maria", "ahmed", "olga", "kenji", "sofia", "lucas", "amara", "chen", "noah",
         "emma", "yusuf", "ines", "priya", "tom", "zhang", "lena"]
LAST = ["doe", "smith", "wang", "garcia", "muller", "tanaka", "rossi", "kowalski", "okafor", "liu", "dubois",
        "novak", "silva", "haddad", "berg"]
DOMAINS = ["example.com", "mail.example.org", "corp.example.net", "uni-example.edu", "example.co.uk", "example.cn",
           "shop-example.io", "example.de"]
WORDS = ["orders", "account", "profile", "help", "docs", "download", "blog", "news", "cart", "settings"]


def luhn_complete(prefix, length):
    digits = [int(c) for c in prefix]
    while len(digits) < length - 1:
        digits.append(rng.randrange(10))
    total = 0
    for index, digit in enumerate(reversed(digits)):
        if index % 2 == 0:
            digit *= 2
            digit = digit - 9 if digit > 9 else digit
        total += digit
    return "".join(map(str, digits)) + str((10 - total % 10) % 10)


def luhn_ok(number):
    total = 0
    for index, digit in enumerate(reversed([int(c) for c in number])):
        if index % 2 == 1:
            digit *= 2
            digit = digit - 9 if digit > 9 else digit
        total += digit
    return total % 10 == 0


def card():
    kind = rng.choice(["visa", "visa", "mc", "amex", "discover", "unionpay"])
    if kind == "visa":
        number = luhn_complete("4" + str(rng.randrange(100, 999)), 16)
    elif kind == "mc":
        number = luhn_complete(str(rng.randrange(51, 56)) + str(rng.randrange(10, 99)), 16)
    elif kind == "amex":
        number = luhn_complete(rng.choice(["34", "37"]) + str(rng.randrange(10, 99)), 15)
        sep = rng.choice([" ", "-", ""])
        return sep.join([number[:4], number[4:10], number[10:]])
    elif kind == "discover":
        number = luhn_complete("6011", 16)
    else:
        number = luhn_complete("62" + str(rng.randrange(10, 99)), rng.choice([16, 19]))
    sep = rng.choice([" ", "-", ""])
    return sep.join(number[i:i + 4] for i in range(0, len(number), 4))


def bad_card():
    """16 digits with a card prefix that fail the Luhn check."""
    while True:
        number = "4" + "".join(str(rng.randrange(10)) for _ in range(15))
        if not luhn_ok(number):
            return " ".join(number[i:i + 4] for i in range(0, 16, 4))


IBAN_FORMATS = {"DE": "8n10n", "GB": "4a14n", "FR": "10n11c2n", "NL": "4a10n", "ES": "20n", "IT": "1a10n12c",
                "CH": "5n12c", "BE": "12n", "AT": "16n", "PL": "24n"}


def bban(country):
    spec = IBAN_FORMATS[country]
    out = ""
    number = ""
    for ch in spec:
        if ch.isdigit():
            number += ch
            continue
        count = int(number)
        number = ""
        alphabet = {"n": string.digits, "a": string.ascii_uppercase, "c": string.ascii_uppercase + string.digits}[ch]
        out += "".join(rng.choice(alphabet) for _ in range(count))
    return out


def iban_check(country, body):
    rearranged = body + country + "00"
    numeric = "".join(str(int(c, 36)) for c in rearranged)
    return "%02d" % (98 - int(numeric) % 97)


def iban(valid=True):
    country = rng.choice(list(IBAN_FORMATS))
    body = bban(country)
    check = iban_check(country, body)
    if not valid:
        check = "%02d" % ((int(check) + rng.randrange(1, 96)) % 97 + 2)
        if check == iban_check(country, body):
            check = "%02d" % ((int(check) + 1) % 97 + 2)
    compact = country + check + body
    if rng.random() < 0.6:
        return " ".join(compact[i:i + 4] for i in range(0, len(compact), 4))
    return compact


REGIONS = ["110101", "310104", "440305", "510107", "330106", "320102", "420106", "610113", "230103", "500103"]


def resident_id(valid=True):
    year = rng.randrange(1950, 2010)
    month = rng.randrange(1, 13)
    day = rng.randrange(1, 29)
    body = rng.choice(REGIONS) + "%04d%02d%02d" % (year, month, day) + "%03d" % rng.randrange(1000)
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]
    if not valid:
        check = rng.choice([c for c in "0123456789X" if c != check])
    return body + check


def phone():
    kind = rng.choice(["uk", "us_intl", "de", "fr", "cn_intl", "cn", "cn", "us", "us"])
    if kind == "uk":
        return "+44 20 7%03d %04d" % (rng.randrange(1000), rng.randrange(10000))
    if kind == "us_intl":
        return "+1 %s-%03d-%04d" % (rng.choice(["212", "415", "646", "312", "617"]), rng.randrange(200, 999),
                                    rng.randrange(10000))
    if kind == "de":
        return "+49 30 %d" % rng.randrange(10_000_000, 99_999_999)
    if kind == "fr":
        return "+33 1 %02d %02d %02d %02d" % tuple(rng.randrange(100) for _ in range(4))
    prefix = rng.choice(["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155",
                         "156", "157", "158", "159", "176", "177", "180", "182", "186", "187", "188", "189"])
    rest = "%04d%04d" % (rng.randrange(10000), rng.randrange(10000))
    if kind == "cn_intl":
        return "+86 %s %s %s" % (prefix, rest[:4], rest[4:])
    if kind == "cn":
        return rng.choice([prefix + rest, "%s-%s-%s" % (prefix, rest[:4], rest[4:]),
                           "%s %s %s" % (prefix, rest[:4], rest[4:])])
    area = rng.choice(["212", "415", "646", "312", "617", "213"])
    exchange = rng.randrange(200, 999)
    line = rng.randrange(10000)
    return rng.choice(["(%s) %03d-%04d" % (area, exchange, line), "%s-%03d-%04d" % (area, exchange, line)])


def email():
    first, last = rng.choice(FIRST), rng.choice(LAST)
    local = rng.choice([f"{first}.{last}", f"{first}{rng.randrange(100)}", f"{first[0]}{last}",
                        f"{first}_{last}", f"{first}+news"])
    return f"{local}@{rng.choice(DOMAINS)}"


def ipv4():
    return "%d.%d.%d.%d" % (rng.choice([23, 45, 81, 93, 104, 151, 172, 185, 192, 203, 212]), rng.randrange(256),
                            rng.randrange(256), rng.randrange(1, 255))


def ipv6():
    groups = ["%x" % rng.randrange(65536) for _ in range(8)]
    groups[0] = rng.choice(["2001", "2a02", "fe80", "2604"])
    if rng.random() < 0.5:
        start = rng.randrange(2, 6)
        return ":".join(groups[:start]) + "::" + ":".join(groups[start + 2:])
    return ":".join(groups)


def url():
    host = rng.choice(["www.", ""]) + rng.choice(["acme-shop", "example", "northwind", "contoso", "fabrikam"]) + \
        rng.choice([".com", ".org", ".io", ".net", ".cn", ".de"])
    path = "/" + "/".join(rng.choice(WORDS) for _ in range(rng.randrange(0, 3)))
    query = rng.choice(["", "?id=%d" % rng.randrange(10000), "?ref=mail&lang=en"])
    kind = rng.random()
    if kind < 0.6:
        return rng.choice(["https://", "http://"]) + host + path + query
    if kind < 0.8:
        return "www." + host.removeprefix("www.") + path
    return host.removeprefix("www.") + (path if path != "/" else "")


MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]


def date_text():
    year, month, day = rng.randrange(1940, 2010), rng.randrange(1, 13), rng.randrange(1, 29)
    return rng.choice([
        "%04d-%02d-%02d" % (year, month, day), "%02d/%02d/%04d" % (day, month, year),
        "%02d.%02d.%04d" % (day, month, year), "%d %s %d" % (day, MONTHS[month - 1], year),
        "%s %d, %d" % (MONTHS[month - 1], day, year), "%d年%d月%d日" % (year, month, day)])


DOB_TEMPLATES = ["born on {}", "Date of birth: {}", "DOB {}", "her birthday is {}", "出生日期：{}", "he was born {}"]

# (type, generator, templates); "{}" is where the value goes.
POSITIVE = [
    ("EMAIL_ADDRESS", email, ["Please write to {} about the refund.", "Contact: {}", "邮箱：{}，请尽快回复。",
                              "cc {} on the thread", "Her e-mail is {}."]),
    ("PHONE_NUMBER", phone, ["Call me at {} tomorrow.", "Phone: {}", "手机：{}", "reach the desk on {} after 9",
                             "Mobile {} (evenings)", "Tel. {}"]),
    ("CREDIT_CARD", card, ["Card number {} was charged twice.", "paid with {}", "信用卡号 {}", "Visa {} expires 04/27",
                           "The customer gave {} over the phone."]),
    ("IBAN_CODE", iban, ["Transfer to IBAN {} by Friday.", "Account: {}", "pay into {} please", "IBAN {}"]),
    ("CN_RESIDENT_ID", resident_id, ["身份证号：{}", "ID {} verified", "公民身份号码 {}", "resident ID {} on file"]),
    ("IP_ADDRESS", ipv4, ["Login from {} at 03:12", "server {} is down", "blocked IP {}", "client address {}"]),
    ("IP_ADDRESS", ipv6, ["Login from {} failed", "host {} responded", "IPv6 address {}"]),
    ("URL", url, ["See {} for details.", "Visit {}", "链接：{}", "the form at {} is broken", "docs: {}"]),
    ("DATE_OF_BIRTH", date_text, DOB_TEMPLATES),
]

NEGATIVE = [
    lambda: "Order #%d-%02d shipped on %s." % (rng.randrange(10000, 99999), rng.randrange(100), "2024-05-%02d" %
                                               rng.randrange(1, 29)),
    lambda: "Invoice INV-%d-%05d is due." % (rng.randrange(2019, 2025), rng.randrange(100000)),
    lambda: "Reference %s could not be matched." % bad_card(),
    lambda: "Tracking code %s" % resident_id(valid=False),
    lambda: "The IBAN %s was rejected (bad check digits)." % iban(valid=False),
    lambda: "Upgrade to version %d.%d.%d before %s." % (rng.randrange(1, 12), rng.randrange(20), rng.randrange(50),
                                                        rng.choice(MONTHS)),
    lambda: "The meeting starts at %02d:%02d:%02d." % (rng.randrange(24), rng.randrange(60), rng.randrange(60)),
    lambda: "Total: $%d,%03d.%02d including tax." % (rng.randrange(1, 20), rng.randrange(1000), rng.randrange(100)),
    lambda: "SKU %d in aisle %d" % (rng.randrange(10**12, 10**13), rng.randrange(1, 40)),
    lambda: "The report was filed on %s." % date_text(),
    lambda: "Room %d, building %s, floor %d." % (rng.randrange(100, 999), rng.choice("ABCDEFG"), rng.randrange(1, 30)),
    lambda: "Batch %d processed %d rows in %d.%d s." % (rng.randrange(1000), rng.randrange(10**6), rng.randrange(60),
                                                        rng.randrange(10)),
    lambda: "Ratio 3:2:1 and score 12:30 at halftime.",
    lambda: "Case number %d%d was closed." % (rng.randrange(10**8, 10**9), rng.randrange(10**8, 10**9)),
    lambda: "File saved as report_%d.txt in /tmp." % rng.randrange(1000),
    lambda: "Call center hours: 9-17, ext. %d." % rng.randrange(100, 9999),
]


def sentence():
    if rng.random() < 0.3:
        return rng.choice(NEGATIVE)(), []
    parts = rng.sample(POSITIVE, k=rng.choice([1, 1, 2]))
    text = ""
    entities = []
    for index, (kind, make, templates) in enumerate(parts):
        template = rng.choice(templates)
        value = make()
        if index:
            text += rng.choice([" ", " Also, ", "；", " — "])
        before, after = template.split("{}")
        start = len(text) + len(before)
        text += before + value + after
        entities.append({"type": kind, "start": start, "end": start + len(value)})
    return text, entities


for _ in range(args.sentences):
    text, entities = sentence()
    print(json.dumps({"text": text, "entities": entities}, ensure_ascii=False))
