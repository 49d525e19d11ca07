#!/usr/bin/env python3
"""How far `vmtax compare`'s verdicts can be trusted on this host: a benchmark of the
verdicts (README "Trusting the verdicts"), not a test.

  tests/bench/verdicts.py A.json B.json C.json ...     evaluate existing runs
  tests/bench/verdicts.py --run 3 [--out DIR] [-- RUN-ARGS...]
                                                       first `vmtax run --suite ci` 3 times
  tests/bench/verdicts.py --interleave 5 --run 3       the interleaved recipe: 3 pairs of
                                                       sides of 5 `--suite quick` runs
                                                       each, taken in turn A B A B ...

All runs must be of the same binary on the same host (A/A). For every pair of files
(or with --interleave K, every pair of sides of K files, compared --base/--new):
  false alarms  compare A B: results flagged regressed or improved, of those compared
                (target: at most 1%, and no pair exits 1);
  power         compare A B' where B' is B with every ok result made worse by a factor
                (samples and run medians x f for costs, / f for rates; native twins and
                host speeds untouched: a real regression, not drift): the share flagged
                regressed, for f = 1.05, 1.10 (target: at least 90%) and 1.25;
  MDE           the median minimum detectable effect per group over the A/A pairs.
Prints Markdown; exits 0 (2 on bad usage or a compare that failed).
"""
import argparse, itertools, json, os, statistics, subprocess, sys, tempfile

FACTORS = (1.05, 1.10, 1.25)
FLAGGED = ("regressed", "improved")
STAT_SCALED = ("min", "median", "mean", "p99", "max", "stddev")


def compare(vmtax, a, b, threshold):
    """a and b: a file, or a list of files (a side of several, --base/--new)."""
    if isinstance(a, list):
        files = [x for f in a for x in ("--base", f)] + [x for f in b for x in ("--new", f)]
    else:
        files = [a, b]
    p = subprocess.run([vmtax, "compare", "--format", "json", "--threshold", str(threshold)] + files,
                       capture_output=True, text=True)
    if p.returncode not in (0, 1):
        sys.exit("compare %s %s: exit %d: %s" % (a, b, p.returncode, p.stderr.strip()))
    return p.returncode, json.loads(p.stdout)


def name(side):
    if isinstance(side, list):
        return "%s..%s" % (os.path.basename(side[0]), os.path.basename(side[-1]))
    return os.path.basename(side)


def compared(doc):
    """Rows where both sides measured: what a verdict was given on."""
    return [r for r in doc["results"] if r["value"] is not None]


def doctor(src, dst, f):
    """A copy of src with every ok result made worse by f."""
    d = json.load(open(src))
    for r in d["results"]:
        if r["status"] != "ok":
            continue
        k = 1 / f if r["unit"].endswith("/s") else f
        r["samples"] = [s * k for s in r["samples"]]
        for run in r.get("runs", []):
            if "median" in run:
                run["median"] *= k
        for s in STAT_SCALED:
            if s in r.get("stats", {}):
                r["stats"][s] *= k
        for field in ("ns", "overhead"):
            if field in r:
                r[field] *= k
    json.dump(d, open(dst, "w"))


def run_suite(vmtax, n, out, args, suite):
    files = []
    for i in range(n):
        f = os.path.join(out, "aa-%02d.json" % (i + 1))
        print("vmtax run --suite %s -o %s %s" % (suite, f, " ".join(args)), file=sys.stderr)
        p = subprocess.run([vmtax, "run", "--suite", suite, "-o", f] + args, stdout=subprocess.DEVNULL)
        if p.returncode not in (0, 1):
            sys.exit("vmtax run: exit %d" % p.returncode)
        files.append(f)
    return files


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="*")
    ap.add_argument("--vmtax", default=os.environ.get("VMTAX", "./vmtax"))
    ap.add_argument("--threshold", type=float, default=5)
    ap.add_argument("--run", type=int, metavar="N", help="first run the ci suite N times "
                    "(with --interleave K: 2K quick runs per pair, N pairs)")
    ap.add_argument("--interleave", type=int, metavar="K", default=0,
                    help="sides of K files taken in turn (A B A B ...), not single files")
    ap.add_argument("--out", help="where --run writes its files (default: a temp dir)")
    ns, run_args = ap.parse_known_args()
    run_args = [a for a in run_args if a != "--"]
    files = ns.files
    k = ns.interleave
    if ns.run:
        out = ns.out or tempfile.mkdtemp(prefix="vmtax-aa-")
        os.makedirs(out, exist_ok=True)
        files = run_suite(ns.vmtax, 2 * k * ns.run if k else ns.run, out, run_args,
                          "quick" if k else "ci")
    if k:
        if len(files) < 2 * k or len(files) % (2 * k):
            ap.error("--interleave %d needs a multiple of %d files" % (k, 2 * k))
        groups = [files[i:i + 2 * k] for i in range(0, len(files), 2 * k)]
        pairs = [(g[0::2], g[1::2]) for g in groups]
    else:
        if len(files) < 3:
            ap.error("needs at least three files of A/A runs (three pairs)")
        pairs = list(itertools.combinations(files, 2))
    print("## Verdicts on %d A/A pairs (threshold %g%%)\n" % (len(pairs), ns.threshold))
    print("| pair | compared | regressed | improved | flagged | exit |\n|---|---|---|---|---|---|")
    total = flagged = exits = 0
    mde = {}
    for a, b in pairs:
        code, doc = compare(ns.vmtax, a, b, ns.threshold)
        rows = compared(doc)
        n_reg = sum(r["verdict"] == "regressed" for r in rows)
        n_imp = sum(r["verdict"] == "improved" for r in rows)
        total += len(rows)
        flagged += n_reg + n_imp
        exits += code
        for r in rows:
            mde.setdefault(r["id"].split("/")[0], []).append(r["mde"])
        print("| %s vs %s | %d | %d | %d | %.1f%% | %d |" % (name(a), name(b),
              len(rows), n_reg, n_imp, 100 * (n_reg + n_imp) / max(len(rows), 1), code))
    rate = flagged / max(total, 1)
    print("\nFalse alarms: %d of %d compared results (%.2f%%; target <= 1%%), %d pair(s) exit 1 "
          "(target 0): %s\n" % (flagged, total, 100 * rate, exits,
                                "met" if rate <= 0.01 and not exits else "NOT met"))

    print("## Power on doctored copies\n")
    print("| factor | compared | flagged regressed | share |\n|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for f in FACTORS:
            n_all = n_reg = 0
            for a, b in pairs:
                if isinstance(b, list):
                    bad = [os.path.join(tmp, "doctored-%d.json" % i) for i in range(len(b))]
                    for src, dst in zip(b, bad):
                        doctor(src, dst, f)
                else:
                    bad = os.path.join(tmp, "doctored.json")
                    doctor(b, bad, f)
                _, doc = compare(ns.vmtax, a, bad, ns.threshold)
                rows = compared(doc)
                n_all += len(rows)
                n_reg += sum(r["verdict"] == "regressed" for r in rows)
            share = n_reg / max(n_all, 1)
            target = " (target >= 90%%: %s)" % ("met" if share >= 0.9 else "NOT met") if f == 1.10 else ""
            print("| %.2f | %d | %d | %.1f%%%s |" % (f, n_all, n_reg, 100 * share, target))

    print("\n## Minimum detectable effect per group (A/A pairs)\n")
    print("| group | rows | median MDE |\n|---|---|---|")
    for g in sorted(mde):
        print("| %s | %d | %.1f%% |" % (g, len(mde[g]), 100 * statistics.median(mde[g])))


if __name__ == "__main__":
    main()
