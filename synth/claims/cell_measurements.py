"""Table cells as measurements: what each printed number of a results table measures.

The model comes from the row label (or the caption, when the rows are settings such as ablations); the task or
dataset, the part of it ('Named Entity'), the metric and the split from the column header path, then the caption;
the row group is kept beside the value as a soft attribute. Hyperparameter, statistics and example tables are
not results and give no measurement. A row that cites another paper ('SMN (Wu et al., 2017)', 'Zhang and Yang
(2018)') or a cell whose mark the caption explains as copied ('† results from Devlin et al.') keeps that source;
when the source is one of the compared papers, the value is that paper's own model, so a copying error surfaces
as a disagreement with the original.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from synth.claims.citations import (
    CITATION, MARKS, NAME, Study, citation_key, citation_text, model_key, strip_marks,
)
from synth.claims.entities import find_entities, language_codes
from synth.core.models import TableBlock, TableCell

__all__ = ["Study", "is_results_table", "model_key", "table_cells", "caption_sources", "header_levels"]

# a caption that names results wins over one that also says 'dataset'; the rest are not result tables
_RESULTS = re.compile(r"\b(results?|performance|accuracy|scores?|F1|BLEU|comparison|compared|ablation|evaluation)\b",
                      re.I)
_NOT_RESULTS = re.compile(r"\b(statistics|hyper-?\s?parameters?|parameter values|number of|examples? of|example\.|"
                          r"case stud(?:y|ies)|data ?sets?\b(?! used)|corpus statistics|sizes? of|settings|"
                          r"configurations?|annotation|templates?|lexicon|distribution|amount of|samples and|"
                          r"probes used|counts? of)\b", re.I)
_CONFIG_ROWS = re.compile(r"\b(learning rate|dropout|batch size|epochs?|hidden|embedding size|emb size|layers?|"
                          r"optimizer|warm-?up|weight decay|regulari[sz]ation|decay)\b", re.I)
# header cells that name a metric but are too short or too local for the claims gazetteer
_HEADER_METRICS = (
    (re.compile(r"^(?:p|prec\.?|precision)$", re.I), "precision"),
    (re.compile(r"^(?:r|rec\.?|recall)$", re.I), "recall"),
    (re.compile(r"^(?:f|f1|f-1|f1-score|f-score|f-measure)$", re.I), "F1"),
    (re.compile(r"^(?:acc|acc\.|accuracy)$", re.I), "accuracy"),
    (re.compile(r"^(?:em|exact match)$", re.I), "exact match"),
    (re.compile(r"^map$", re.I), "MAP"),
    (re.compile(r"^mrr$", re.I), "MRR"),
    (re.compile(r"^(?:mi-?f1|micro-?f1|mi)$", re.I), "micro F1"),
    (re.compile(r"^(?:ma-?f1|macro-?f1|ma)$", re.I), "macro F1"),
    (re.compile(r"^(?:[rp]\d+@\d+|[rp]@\d+|hits@\d+|prec@\d+|recall@\d+)$", re.I), None),  # the label is the metric
    (re.compile(r"^(?:bleu|chrf3?|ter|meteor|rouge(?:-[12l])?|perplexity|ppl|auc|wer|cer)$", re.I), None),
)
_DEV = re.compile(r"\b(dev|development|validation|val)\b", re.I)
_TEST = re.compile(r"\b(test|testing)\b", re.I)
_AVERAGE = re.compile(r"^(?:avg\.?|average|mean|overall avg\.?)$", re.I)
_SETTING_ROW = re.compile(r"^(?:w/o|w/|with|without|no|only|\+|-|–|−|minus|plus)(?:\s|\b)", re.I)
_OWN_ROW = re.compile(r"^(?:ours|our model|our method|our approach|proposed|this work|(?:the )?full model|"
                      r"complete model)\b", re.I)
_CAPTION_COPY = re.compile(rf"(?P<mark>[{re.escape(MARKS)}]+)?\s*(?::|denotes|indicates|means|marks)?\s*"
                           r"(?:the\s+)?(?:results?|numbers?|scores?|values?)?\s*"
                           r"(?:(?:for|of)\s+(?P<rows>[\w\-]+(?:\s+(?:and|,)\s*[\w\-]+)*)\s+)?(?:\w+\s+){0,4}?"
                           r"(?:(?:are\s+|is\s+|were\s+)?(?:taken|copied|reported|quoted|borrowed|reproduced|cited)\s+"
                           r"(?:directly\s+)?(?:from|in|by)|(?<=results )from|(?<=result )from|(?<=numbers )from|"
                           r"(?:are|is|were)\s+from)\s+"
                           rf"\(?(?P<cite>{NAME}(?:\s+et\s+al\.?|\s+(?:and|&)\s+"
                           rf"{NAME})?\s*[,(]?\s*(?:19|20)\d\d[a-z]?)", re.I)
_CAPTION_ON = re.compile(r"\b(?:results?|performance|accuracy|scores?|evaluation)\s+(?:on|for)\s+(?:the\s+)?"
                         r"(?P<name>[A-Za-z][\w.\-]*(?:\s+(?:NER|QA|corpus|dataset|[A-Z0-9][\w.\-]*))?)", re.I)
_CAPTION_LEAD = re.compile(r"^(?:main\s+)?(?P<name>[A-Z][\w.\-]*(?:\s+(?:NER|QA|[A-Z0-9][\w.\-]*))?)\s+"
                           r"(?:results?|performance)\b")


def is_results_table(block: TableBlock) -> bool:
    """Hyperparameter, statistics, example and dataset tables are not results."""
    cap = block.caption
    if _NOT_RESULTS.search(cap) and not _RESULTS.search(cap):
        return False
    rows = {c.row for c in block.cells}
    if rows and sum(bool(_CONFIG_ROWS.search(r)) for r in rows) > len(rows) / 2:
        return False
    return any(c.values for c in block.cells)


def header_metric(label: str) -> str | None:
    text = re.sub(r"\s*\(%\)\s*|\s*%\s*$|[↑↓]", "", strip_marks(label)).strip()
    for pattern, name in _HEADER_METRICS:
        if pattern.match(text):
            return name or text
    ents = find_entities(text)
    return ents.metrics[0] if len(ents.metrics) == 1 and len(text) <= 40 else None


def _task_of(text: str) -> str | None:
    ents = find_entities(text)
    names = ents.datasets + ents.tasks + ents.benchmarks
    if not names:
        return None
    # 'Weibo NER' names a dataset (Weibo) of a task (NER): the dataset is what two papers must share
    return names[0] if len(set(names)) == 1 else None


def caption_task(caption: str) -> str | None:
    """The dataset a caption names: the gazetteer's, else 'results on X' / 'X results'."""
    first = re.split(r"(?<=[a-z0-9)])\.\s", caption, maxsplit=1)[0]
    found = _task_of(first)
    if found and found != "NER":
        return found
    for pattern in (_CAPTION_ON, _CAPTION_LEAD):
        m = pattern.search(first)
        if m:
            if re.match(r"\s*(?:,|and\b|&)", first[m.end():]):
                return None  # 'results on A, B and C': a table over several datasets, named in its columns
            name = m.group("name").rstrip(".")
            if name.lower() not in {"the", "all", "our", "different", "each", "test", "dev", "development",
                                    "various", "several", "two", "three"}:
                return _task_of(name) if _task_of(name) not in (None, "NER") else name
    return found


def caption_split(caption: str) -> str | None:
    first = re.split(r"(?<=[a-z0-9)])\.\s", caption, maxsplit=1)[0]
    dev, test = bool(_DEV.search(first)), bool(_TEST.search(first))
    return "dev" if dev and not test else "test" if test and not dev else None


def subset_key(label: str) -> str:
    """'NE' = 'Named Entity' (initials), 'Overall' = 'overall'."""
    words = re.findall(r"[A-Za-z]+", label)
    if len(words) >= 2 and all(w[0].isupper() for w in words):
        return "".join(w[0] for w in words).lower()
    return re.sub(r"[^a-z0-9]+", "", label.lower())


@dataclass
class CellDims:
    """One value's dimensions as read from its table."""

    task: str | None = None
    subset: str | None = None
    metric: str | None = None
    split: str | None = None
    language: str | None = None
    model: str | None = None
    model_key: str | None = None
    setting: str | None = None
    source: str | None = None
    copied_from: str | None = None
    at_n: str | None = None  # 'P' of a 'P@N' the caption or a header names; a level '100' is then P@100


def _language(label: str) -> str | None:
    text = strip_marks(label)
    if text in language_codes():
        return text
    ents = find_entities(text)
    return ents.languages[0] if len(ents.languages) == 1 and len(text) <= 20 else None


_SENTENCE = re.compile(r"(?:\S+\s+)+[a-z]{2,}\.")
_SENTENCE_TAIL = re.compile(r"^(?:\S+\s+)*[a-z]{3,}\.\s+(?=\S)")  # 'study. de' → 'de'


def header_levels(path: list[str]) -> list[str]:
    """The header path without marks and without caption prose the reader took in with it."""
    out = []
    for level in path:
        text = _SENTENCE_TAIL.sub("", strip_marks(level))
        if text and not _SENTENCE.fullmatch(text):
            out.append(text)
    return out


def read_column(path: list[str], caption_dims: CellDims) -> CellDims:
    """A column header path → task, part, metric, split, language (top-down; the caption fills what is missing)."""
    d = CellDims()
    at_n = caption_dims.at_n
    for text in header_levels(path):  # caption prose the reader took in ('language gain in our study.') dropped
        if at_n and re.fullmatch(r"\d+", text):
            d.metric = f"{at_n}@{text}"  # 'P@N' over '100': P@100
            continue
        m = re.fullmatch(r"(\w+)@[NnKk]", text)
        if m:
            at_n = m.group(1)
            continue
        metric = header_metric(text)
        if metric:
            d.metric = metric
            continue
        if "/" in text and all(header_metric(part) for part in text.split("/")):
            continue  # 'F1 / EM' over paired cells: each value takes its own (see _split_pair)
        if _DEV.fullmatch(text.lower().rstrip(".")) or text.lower() in ("dev set", "development set"):
            d.split = "dev"
            continue
        if _TEST.fullmatch(text.lower().rstrip(".")) or text.lower() in ("test set",):
            d.split = "test"
            continue
        if _AVERAGE.match(text):
            d.subset = "average"
            continue
        lang = _language(text)
        if lang:
            d.language = lang
            continue
        task = _task_of(text)
        if task and task != "NER" and d.task is None:
            d.task = task
            continue
        if d.task is None and caption_dims.task is None:
            d.task = text  # the first unnamed header level of a table whose caption names no dataset
        else:
            d.subset = f"{d.subset} / {text}" if d.subset and d.subset != "average" else text
    for name in ("task", "metric", "split"):
        if getattr(d, name) is None:
            setattr(d, name, getattr(caption_dims, name))
    return d


_GENERIC = frozenset("""lstm bilstm bi-lstm cnn rnn gru crf bert transformer attention baseline baselines model
models network networks neural embedding embeddings word words char character characters ner chinese english
multilingual classification translation extraction segmentation system systems method methods""".split())


def _own_row(label: str, titles: set[str]) -> bool:
    """'Ours', 'Our model', or a label made of the paper's title words that names something of its own ('Lattice'
    in 'Chinese NER Using Lattice LSTM'; not 'LSTM' in 'Attention-based LSTM for ...': that is every paper's)."""
    if _OWN_ROW.match(label):
        return True
    words = {w.lower() for w in re.findall(r"[A-Za-z][\w\-]+", label)}
    return bool(words - _GENERIC) and words <= titles


_BASELINE_ROWS = {"baseline", "none", "no intermediate task", "no intermediate", "vanilla", "w/o intermediate"}


def read_row(cell: TableCell, paper: str, caption_model: str | None, study: Study,
             table_task: str | None = None) -> CellDims:
    """A row label (and its group) → model, normalised model key, setting and the source it cites."""
    d = CellDims()
    label = strip_marks(cell.row)
    group = strip_marks(cell.row_group or "")
    cite = citation_key(label)
    titles = study.titles.get(paper, set())
    if cite:
        d.source = citation_text(label)
        cited_paper = study.cited.get(cite)
        name = CITATION.sub("", label).strip(" ()[],;")
        if cited_paper and cited_paper != paper:
            d.copied_from = cited_paper
        if name:  # 'SMN (Wu et al., 2017)': the model by its name, whoever printed it
            d.model, d.model_key = name, model_key(name)
        elif d.copied_from:  # 'Zhang and Yang (2018)' citing a compared paper: that paper's own model
            d.model, d.model_key = label, f"{cited_paper}:own"
        else:
            d.model, d.model_key = label, cite
        return d
    if label.lower() in _BASELINE_ROWS or (_task_of(label) and _task_of(label) != table_task):
        # a row that names a task in a table about another one is a configuration (an intermediate task), and
        # 'baseline' is one too: the model is the caption's
        d.setting = "baseline" if label.lower() in _BASELINE_ROWS else _task_of(label)
        d.model = caption_model
        d.model_key = model_key(caption_model) if caption_model else None
        return d
    if _SETTING_ROW.match(label) or (not label and group):
        base = group if group and not _SETTING_ROW.match(group) else caption_model
        d.setting = label
        d.model = base
        d.model_key = (f"{paper}:own" if base and _own_row(base, titles) else model_key(base)) if base else None
        return d
    if _own_row(label, titles):
        d.model, d.model_key = label, f"{paper}:own"
        return d
    d.model, d.model_key = label, model_key(label) if label else None
    return d


def caption_sources(caption: str) -> dict[str, str]:
    """Marks the caption explains as copied: {'†': 'Devlin et al. 2019'}; '' for an unmarked 'results from X'."""
    return {mark: cite for mark, (cite, _) in caption_copies(caption).items()}


def caption_copies(caption: str) -> dict[str, tuple[str, set[str] | None]]:
    """{mark: (source, the rows it is said of or None)}: 'Results for BERTLARGE and XLNet are from Devlin et al.
    (2019)' → {'': ('Devlin et al., 2019', {'bertlarge', 'xlnet'})}."""
    out = {}
    for m in _CAPTION_COPY.finditer(caption):
        cite = citation_text(m.group("cite")) or " ".join(m.group("cite").split())
        rows = {model_key(r) for r in re.split(r"\s+and\s+|\s*,\s*", m.group("rows"))} if m.group("rows") else None
        if rows and rows & {"baselines", "baseline", "all", "other", "others", "previous", "prior"}:
            rows = None  # 'results of the baselines are taken from': every row but the paper's own
        out[m.group("mark") or ""] = (cite, rows)
    return out


def table_cells(block: TableBlock, paper: str, study: Study) -> list[tuple[TableCell, int, CellDims]]:
    """Every number of a results table with its dimensions: (cell, index of the value in the cell, dims)."""
    if not is_results_table(block):
        return []
    cap = find_entities(re.sub(r"\baccuracies\b", "accuracy", block.caption, flags=re.I))
    at_n = re.search(r"\b(\w+)@[NnKk]\b", block.caption)
    caption_dims = CellDims(task=caption_task(block.caption), split=caption_split(block.caption),
                            metric=cap.metrics[0] if len(cap.metrics) == 1 else None,
                            at_n=at_n.group(1) if at_n else None)
    caption_model = cap.models[0] if len(cap.models) == 1 else None
    copied = caption_copies(block.caption)
    columns = {tuple(c.column): read_column(c.column, caption_dims) for c in block.cells}
    over_tasks = sorted({d.task for d in columns.values() if d.task and d.subset != "average"})
    over_langs = sorted({d.language for d in columns.values() if d.language})
    stub = {}  # a 'Models' / 'Method' column names rows: its text belongs to the row label, it measures nothing
    for cell in block.cells:
        if _is_stub(cell.column) and cell.text.strip():
            stub.setdefault(_row_id(cell), []).append(cell.text.strip())
    out = []
    for cell in block.cells:
        if not cell.values or _is_stub(cell.column):
            continue
        col = columns[tuple(cell.column)]
        if _row_id(cell) in stub:
            cell = cell.model_copy(update={"row": " ".join([cell.row, *stub[_row_id(cell)]]).strip()})
        row = read_row(cell, paper, caption_model, study, col.task)
        dims = CellDims(**{**col.__dict__, **{k: v for k, v in row.__dict__.items() if v}})
        if col.subset == "average":
            # 'Avg.' over the table's tasks is not a language average, nor is either an average over other columns
            if len(over_tasks) > 1:
                dims.task, dims.subset = "average over " + ", ".join(over_tasks), None
            elif over_langs:
                dims.language, dims.subset = "average of " + ", ".join(over_langs), None
        for mark in cell.marks + [""]:
            if mark not in copied or dims.source:
                continue
            source, rows = copied[mark]
            if rows is not None and dims.model_key not in rows:
                continue  # 'results for BERTLARGE are from ...' is not about the other rows
            if mark == "" and rows is None and (dims.model_key == f"{paper}:own" or dims.setting):
                continue  # an unmarked 'baselines are taken from X' is not about the paper's own rows
            dims.source = source
            cited_paper = study.cited.get(citation_key(source) or "")
            if cited_paper and cited_paper != paper:
                dims.copied_from = cited_paper  # the model stays the row's: compared with the cited paper's row
        parts = _split_pair(cell, dims)
        out += [(cell, i, d) for i, d in parts]
    return out


_STUB = re.compile(r"^(?:models?|methods?|systems?|approach(?:es)?|baselines?)$", re.I)


def _is_stub(path: list[str]) -> bool:
    return len(path) == 1 and bool(_STUB.match(strip_marks(path[0])))


def _row_id(cell: TableCell) -> tuple:
    return (cell.row_index, cell.row_group, cell.row)


def _split_pair(cell: TableCell, dims: CellDims) -> list[tuple[int, CellDims]]:
    """A paired cell ('86.5/89.4' under 'F1/EM' or 'm/mm') → one measurement per value, each with its part of
    the header; unnamed parts are told apart by position."""
    if len(cell.values) == 1 or (len(cell.values) == 2 and re.search(r"±|\+/-|\+-", cell.text)):
        return [(0, dims)]  # '5.8 ± 1.1': one value and its stated uncertainty
    last = strip_marks(cell.column[-1]) if cell.column else ""
    names = [p.strip() for p in re.split(r"\s*/\s*", last)] if "/" in last else []
    out = []
    for i in range(len(cell.values)):
        d = CellDims(**dims.__dict__)
        if len(names) == len(cell.values) and d.subset and d.subset.endswith(last):
            d.subset = d.subset[:-len(last)].rstrip(" /") or None  # the pair's header is split below
        if len(names) == len(cell.values):
            metric = header_metric(names[i])
            if metric:
                d.metric = metric
            else:
                d.subset = f"{d.subset} / {names[i]}" if d.subset else names[i]
        else:
            d.subset = f"{d.subset} / value {i + 1}" if d.subset else f"value {i + 1}"
        out.append((i, d))
    return out
