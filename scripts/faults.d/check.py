#!/usr/bin/env python3
"""Reconciles one fault run of scripts/faults against the orders that were stored.

Usage: check.py LOAD.json BEFORE_IDS AFTER_IDS
BEFORE_IDS/AFTER_IDS: files with the ids in the orders table before and after the run, one per line.
Prints "acknowledged lost duplicates stuck" and exits 1 when any of the last three is not 0.
  lost: an acknowledged order id that is not stored;
  duplicates: orders stored by the run beyond one per key (a key that made two orders);
  stuck: keys that never got their 201 within 90 s of retrying.
"""
import json
import sys

load = json.load(open(sys.argv[1]))
before = set(open(sys.argv[2]).read().split())
after = set(open(sys.argv[3]).read().split())
acknowledged = load["acknowledged"]
ids = set(acknowledged.values())
lost = len([i for i in ids if i not in after])
new = after - before
# Every key ends acknowledged (or stuck); each acknowledged key names one order. Anything else the run
# stored is a second order for some key.
duplicates = len(new - ids) + (len(acknowledged) - len(ids))
stuck = len(load["unacknowledged"])
print(len(acknowledged), lost, duplicates, stuck)
sys.exit(1 if lost or duplicates or stuck else 0)
