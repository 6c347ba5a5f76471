"""benchmarks/transfer.py's figures: the targets, the summary as one JSON-able dict (ratios of
medians) and the table printed from it."""

from __future__ import annotations

import statistics
from typing import Any

from transfer_runs import CAP, GIB, MIB, Series, Sizes

TARGET_RATIO = 1.15  # engine time / curl time, download and upload
TARGET_CPU = 1.5  # engine CPU / curl CPU per GiB downloaded, SHA-256 off
TARGET_RSS = 64 * MIB  # peak RSS growth during one transfer
TARGET_SPEEDUP = 3.0  # 4 segments against one stream, capped
TARGET_VS_ARIA = 1.0  # 4 segments against aria2c -x4 -s4, capped


def _size_words(size: int) -> str:
    return f"{size // GIB} GiB" if size % GIB == 0 else f"{size // MIB} MiB"


def _verdict(good: bool) -> str:
    return "ok" if good else "MISSED"


def _pair(series: dict[str, Series], engine: str, ref: str) -> dict[str, Any]:
    e, r = series[engine], series[ref]
    return {
        "engine_s": {"median": e.median, "min": e.min, "all": e.seconds},
        "reference_s": {"median": r.median, "min": r.min, "all": r.seconds},
        "ratio": e.median / r.median,
        "ratio_min": e.min / r.min,
    }


def _per_gib(values: list[float], size: int) -> float:
    return statistics.median(values) * GIB / size


def cpu_figures(series: dict[str, Series], size: int) -> dict[str, Any]:
    """CPU seconds per GiB downloaded (medians): the engine's sides against curl's."""
    out: dict[str, Any] = {}
    names = ("download", "download_1", "download_sha", "download_nofsync", "download_adaptive")
    for name in (*names, "download_curl"):
        s = series[name]
        out[name] = {
            "cpu": _per_gib(s.cpu, size),
            "user": _per_gib(s.cpu_user, size),
            "sys": _per_gib(s.cpu_sys, size),
            "sandbox": _per_gib(s.sandbox_cpu, size),
        }
        if s.cpu_process:
            out[name]["process"] = _per_gib(s.cpu_process, size)
    curl = out["download_curl"]["cpu"]
    out["ratio"] = out["download"]["cpu"] / curl
    out["ratio_1"] = out["download_1"]["cpu"] / curl
    out["ratio_nofsync"] = out["download_nofsync"]["cpu"] / curl
    out["sha256_adds"] = out["download_sha"]["cpu"] - out["download"]["cpu"]
    out["target"] = TARGET_CPU
    out["ok"] = out["ratio"] <= TARGET_CPU
    return out


def summary(series: dict[str, Series], sizes: Sizes, rounds: int) -> dict[str, Any]:
    """The figures and ratios as one JSON-able dict (seconds, bytes, ratios of medians)."""
    download = _pair(series, "download", "download_curl")
    download_1 = _pair(series, "download_1", "download_curl")
    download_sha = _pair(series, "download_sha", "download_curl")
    download_nofsync = _pair(series, "download_nofsync", "download_curl")
    download_adaptive = _pair(series, "download_adaptive", "download_curl")
    download_adaptive["segments_used"] = series["download_adaptive"].segments
    capped_adaptive = _pair(series, "capped_adaptive", "capped_aria")
    capped_adaptive["segments_used"] = series["capped_adaptive"].segments
    upload = _pair(series, "upload", "upload_curl")
    single = _pair(series, "capped_4", "capped_1")
    aria = _pair(series, "capped_4", "capped_aria")
    download["peak_rss_growth"] = max(series["download"].rss)
    download["fsync_s"] = statistics.median(series["download"].fsync)
    download["without_fsync_s"] = series["download_nofsync"].median
    download["fsync_cost"] = download["engine_s"]["median"] / download["without_fsync_s"] - 1
    download["segments_used"] = series["download"].segments
    single["segments_used"] = {
        "engine": series["capped_4"].segments,
        "single": series["capped_1"].segments,
    }
    upload["peak_rss_growth"] = max(series["upload"].rss)
    single["speedup"] = 1 / single["ratio"]
    single["speedup_min"] = 1 / single["ratio_min"]
    return {
        "rounds": rounds,
        "sizes": {"download": sizes.download, "upload": sizes.upload, "capped": sizes.capped},
        "cap_bytes_per_second": CAP,
        "download": download | {"target": TARGET_RATIO, "ok": download["ratio"] <= TARGET_RATIO},
        "download_rss_ok": download["peak_rss_growth"] <= TARGET_RSS,
        "download_single_stream": download_1,
        "download_with_sha256": download_sha,
        "download_without_fsync": download_nofsync,
        "download_adaptive": download_adaptive,
        "capped_adaptive_vs_aria2c": capped_adaptive,
        "download_cpu_per_gib": cpu_figures(series, sizes.download),
        "upload": upload | {"target": TARGET_RATIO, "ok": upload["ratio"] <= TARGET_RATIO},
        "upload_rss_ok": upload["peak_rss_growth"] <= TARGET_RSS,
        "capped_vs_single": single
        | {"target": TARGET_SPEEDUP, "ok": single["speedup"] >= TARGET_SPEEDUP},
        "capped_vs_aria2c": aria
        | {"target": TARGET_VS_ARIA, "ok": aria["ratio"] <= TARGET_VS_ARIA},
        "capped_rss_growth": max(series["capped_4"].rss + series["capped_1"].rss),
    }


def _row(label: str, engine: str, reference: str, measure: str, target: str, ok: bool) -> str:
    verdict = _verdict(ok) if target else ""
    return f"{label:<32}{engine:<22}{reference:<24}{measure:<22}{target:<18}{verdict}".rstrip()


def _times(name: str, part: dict[str, Any], key: str) -> str:
    return f"{name} {part[key]['median']:.2f} s ({part[key]['min']:.2f})"


def _ratio(part: dict[str, Any]) -> str:
    return f"ratio {part['ratio']:.2f} ({part['ratio_min']:.2f})"


def _rss(growth: int, ok: bool) -> str:
    mib = f"engine {growth / MIB:.0f} MiB"
    return _row("  peak RSS growth", mib, "(max of rounds)", "", "target <= 64 MiB", ok)


def _cpu_lines(cpu: dict[str, Any]) -> list[str]:
    def split(part: dict[str, Any]) -> str:
        return f"{part['cpu']:.2f} s ({part['user']:.2f}+{part['sys']:.2f})"

    engine, one, curl = cpu["download"], cpu["download_1"], cpu["download_curl"]
    return [
        "  CPU per GiB (user+sys)".ljust(32)
        + f"engine {split(engine)}".ljust(30)
        + f"curl {split(curl)}".ljust(30)
        + f"ratio {cpu['ratio']:.2f}".ljust(12)
        + f"target <= {TARGET_CPU}".ljust(18)
        + _verdict(cpu["ok"]),
        "  CPU per GiB, 1 stream".ljust(32)
        + f"engine {split(one)}".ljust(60)
        + f"ratio {cpu['ratio_1']:.2f}  (information)",
        "  CPU per GiB, adaptive".ljust(32)
        + f"engine {split(cpu['download_adaptive'])}".ljust(60)
        + f"ratio {cpu['download_adaptive']['cpu'] / curl['cpu']:.2f}  (information)",
        "  CPU per GiB, without fsync".ljust(32)
        + f"engine {split(cpu['download_nofsync'])}".ljust(60)
        + f"ratio {cpu['ratio_nofsync']:.2f}  (information: curl does not fsync)",
        "  CPU per GiB, whole child".ljust(32)
        + f"engine {engine['process']:.2f} s (start-up and imports included; information)",
        "  + SHA-256 adds".ljust(32) + f"{cpu['sha256_adds']:+.2f} s CPU per GiB  (information)",
        "  sandbox CPU per GiB".ljust(32)
        + f"serving the engine {engine['sandbox']:.2f} s, 1 stream {one['sandbox']:.2f} s,"
        + f" curl {curl['sandbox']:.2f} s",
    ]


def table(result: dict[str, Any]) -> str:
    sizes = result["sizes"]
    d, u = result["download"], result["upload"]
    single, aria = result["capped_vs_single"], result["capped_vs_aria2c"]
    target = f"target <= {TARGET_RATIO}"
    rounds = f"{result['rounds']} round{'s' if result['rounds'] != 1 else ''}"
    lines = [f"transfer benchmark, {rounds}, median (min)"]
    used = sorted(set(d["segments_used"]))
    split = f" ({'/'.join(map(str, used))} seg.)" if used else ""
    for label, part, rss_ok in (
        (f"download {_size_words(sizes['download'])}{split}", d, result["download_rss_ok"]),
        (f"upload {_size_words(sizes['upload'])}", u, result["upload_rss_ok"]),
    ):
        engine, curl = _times("engine", part, "engine_s"), _times("curl", part, "reference_s")
        lines.append(_row(label, engine, curl, _ratio(part), target, part["ok"]))
        lines.append(_rss(part["peak_rss_growth"], rss_ok))
        if part is d:
            lines.append(
                "  fsync (flush behind + final)".ljust(32)
                + f"final {d['fsync_s']:.2f} s".ljust(22)
                + f"without fsync {d['without_fsync_s']:.2f} s".ljust(24)
                + f"cost {d['fsync_cost']:+.0%}  (information)"
            )
            bare = result["download_without_fsync"]
            lines.append(
                "  without fsync (as curl)".ljust(32)
                + f"{_times('engine', bare, 'engine_s')}".ljust(46)
                + f"{_ratio(bare)}  (information: the disk's part)"
            )
            one = result["download_single_stream"]
            lines.append(
                "  1 stream (--segments 1)".ljust(32)
                + f"{_times('engine', one, 'engine_s')}".ljust(46)
                + f"{_ratio(one)}  (information)"
            )
            adaptive = result["download_adaptive"]
            used = "/".join(map(str, sorted(set(adaptive["segments_used"]))))
            lines.append(
                f"  adaptive_segments ({used} seg.)".ljust(32)
                + f"{_times('engine', adaptive, 'engine_s')}".ljust(46)
                + f"{_ratio(adaptive)}  (information)"
            )
            sha = result["download_with_sha256"]
            lines.append(
                "  + SHA-256, as the CLI".ljust(32)
                + f"{_times('engine', sha, 'engine_s')}".ljust(46)
                + f"{_ratio(sha)}  (information; the window does not compute it)"
            )
            lines += _cpu_lines(result["download_cpu_per_gib"])
    floor = sizes["capped"] / CAP  # the cap's own limit: seconds for one stream
    lines.append(
        f"capped {CAP // 1_000_000} MB/s per connection, {_size_words(sizes['capped'])}"
        f" (at the cap: 1 stream {floor:.2f} s, 4 streams {floor / 4:.2f} s):"
    )
    speedup = f"speed-up {single['speedup']:.1f}x ({single['speedup_min']:.1f}x)"
    lines.append(
        _row(
            "  4 segments vs single stream",
            _times("engine", single, "engine_s"),
            _times("single", single, "reference_s"),
            speedup,
            f"target >= {TARGET_SPEEDUP:.0f}",
            single["ok"],
        )
    )
    lines.append(
        _row(
            "  4 segments vs aria2c -x4 -s4",
            _times("engine", aria, "engine_s"),
            _times("aria2c", aria, "reference_s"),
            _ratio(aria),
            f"target <= {TARGET_VS_ARIA:.1f}",
            aria["ok"],
        )
    )
    adaptive = result["capped_adaptive_vs_aria2c"]
    lines.append(
        "  adaptive_segments vs aria2c".ljust(32)
        + _times("engine", adaptive, "engine_s").ljust(22)
        + _times("aria2c", adaptive, "reference_s").ljust(24)
        + f"{_ratio(adaptive)}  (information)"
    )
    growth = f"engine {result['capped_rss_growth'] / MIB:.0f} MiB"
    lines.append(_row("  peak RSS growth (capped)", growth, "(max of rounds)", "", "", True))
    return "\n".join(lines)
