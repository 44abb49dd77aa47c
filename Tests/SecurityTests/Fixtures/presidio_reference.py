"""Presidio 2.2's pattern-only analyzer on the labelled corpus (Tests/SecurityTests/PresidioComparisonTests).

usage: presidio_reference.py CORPUS.jsonl
Runs Presidio's predefined recognizers that need no spaCy model (EmailRecognizer, PhoneRecognizer,
CreditCardRecognizer, IbanRecognizer, IpRecognizer, UrlRecognizer) with their defaults, as AnalyzerEngine would
(duplicates removed, its default score threshold 0), but without an NLP engine: AnalyzerEngine's default loads the
spaCy model en_core_web_lg, a separate download, and its context enhancement needs the model's lemmas. Prints
{"version", "types": {TYPE: {"gold", "predicted", "true_positive_predictions", "matched_gold"}}} where a prediction
is correct when it overlaps a gold span of its type.
"""
import importlib.metadata
import json
import logging
import sys

logging.disable(logging.CRITICAL)  # tldextract logs its failed attempt to refresh the suffix list (no network)
from presidio_analyzer import EntityRecognizer  # noqa: E402
from presidio_analyzer.predefined_recognizers import (  # noqa: E402
    CreditCardRecognizer, EmailRecognizer, IbanRecognizer, IpRecognizer, PhoneRecognizer, UrlRecognizer)

recognizers = [EmailRecognizer(), PhoneRecognizer(), CreditCardRecognizer(), IbanRecognizer(), IpRecognizer(),
               UrlRecognizer()]
types = sorted({entity for r in recognizers for entity in r.supported_entities})
counts = {t: {"gold": 0, "predicted": 0, "true_positive_predictions": 0, "matched_gold": 0} for t in types}
for line in open(sys.argv[1], encoding="utf-8"):
    row = json.loads(line)
    results = []
    for recognizer in recognizers:
        results += recognizer.analyze(row["text"], recognizer.supported_entities, None) or []
    results = EntityRecognizer.remove_duplicates(results)
    gold = [g for g in row["entities"] if g["type"] in counts]
    for g in gold:
        counts[g["type"]]["gold"] += 1
        if any(r.entity_type == g["type"] and r.start < g["end"] and g["start"] < r.end for r in results):
            counts[g["type"]]["matched_gold"] += 1
    for r in results:
        if r.entity_type not in counts:
            continue
        counts[r.entity_type]["predicted"] += 1
        if any(g["type"] == r.entity_type and r.start < g["end"] and g["start"] < r.end for g in gold):
            counts[r.entity_type]["true_positive_predictions"] += 1
print(json.dumps({"version": importlib.metadata.version("presidio-analyzer"), "types": counts}))
