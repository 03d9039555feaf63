#!/usr/bin/env python3
"""Builds sparse_frontier_prior.csv (retention curves) from the reference prior
(/work/shared/reference/quality_curves_prior.csv, or the path given as the first argument).

Each row keeps its value status, mapped to the simulator's vocabulary:
  sparsity 0                      -> DEFINITION (retention is relative to dense)
  ESTIMATE, ESTIMATE(fit)         -> ESTIMATE
  EXTRAPOLATED                    -> EXTRAPOLATED
  text_anchor(~)                  -> APPROX_FROM_PAPER (a number stated approximately in the paper text)
  text_anchor(abs err, pooled ..) -> ESTIMATE (a paper figure pooled over 16-64K, rescaled per length)
The original status, provenance and construction are kept in the source column.
Model mapping: pooled rows apply to every model ("*"); the multi-query-retrieval curve for small (~7B)
models is the default for every model (the more pessimistic of the two), and the large (~72B) curve is
given to Qwen2.5-72B and Llama-3.1-70B.
"""
import csv
import sys

source = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/reference/quality_curves_prior.csv"
output = sys.argv[2] if len(sys.argv) > 2 else "sparse_frontier_prior.csv"

FAMILY = {
    "all_tasks_mean": "mixed",
    "single_qa": "single_qa",
    "multi_query_retrieval": "multi_query_retrieval",
    "high_scope_or_high_dispersion": "high_scope",
}


def status_of(row):
    if float(row["sparsity"]) == 0.0:
        return "DEFINITION"
    status = row["value_status"]
    if status.startswith("ESTIMATE"):
        return "ESTIMATE"
    if status == "EXTRAPOLATED":
        return "EXTRAPOLATED"
    if status.startswith("text_anchor(abs err"):
        return "ESTIMATE"
    if status.startswith("text_anchor"):
        return "APPROX_FROM_PAPER"
    raise SystemExit("unmapped status: " + status)


def models_of(row):
    if row["task_family"] != "multi_query_retrieval":
        return ["*"]
    size = row["model_size_class"]
    if size.startswith("small"):
        return ["*"]
    if size.startswith("large"):
        return ["Qwen2.5-72B", "Llama-3.1-70B"]
    raise SystemExit("unmapped model size class: " + size)


with open(source, newline="", encoding="utf-8") as handle:
    rows = list(csv.DictReader(handle))

with open(output, "w", newline="", encoding="utf-8") as handle:
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(["model", "task_family", "phase", "seq_len_tokens", "sparsity", "retention",
                     "value_status", "source"])
    for row in rows:
        for model in models_of(row):
            text = ("reference quality_curves_prior.csv [{status}; {tasks}; {methods}; size {size}; "
                    "budget {budget}]: {provenance} | {construction}").format(
                status=row["value_status"], tasks=row["tasks"], methods=row["method_scope"],
                size=row["model_size_class"], budget=row["budget_fraction"],
                provenance=row["provenance"], construction=row["construction"])
            writer.writerow([model, FAMILY[row["task_family"]], "both", row["seq_len"], row["sparsity"],
                             row["retention_factor"], status_of(row), text])
