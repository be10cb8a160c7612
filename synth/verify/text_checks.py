"""Word-level checks of a claim against its evidence: named things (a claim about MNLI is not supported by a
sentence about SQuAD; BERT-base is not BERT-large) and whether the claim is in English at all.

Names compare by a key that ignores case, hyphens, underscores and spaces (BERT-Large = BERTLARGE = BERT_LARGE
= "BERT large"), and through the paper's own abbreviations ("RoBERTa-base (RoB)"). The paper's own system (named
in its title or "we introduce X") is never "missing" from a sentence that says "our method".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from synth.verify.evidence import STOPWORDS

# Tokens that look like names: two capitals, or a capital and a digit (MNLI, SQuAD, XLM-R, PAWS-X, mT5).
_NAME = re.compile(r"(?<![\w-])(?=[\w+\-]*[A-Z][\w+\-]*[A-Z0-9])[A-Za-z][\w+\-]*[\w+]")
# A capitalised word inside a sentence (Adadelta, Google, Nematus): a name unless the paper uses it in lower case.
_CAPITALISED = re.compile(r"(?<=[a-z0-9,;:)] )[A-Z][a-z]{2,}(?:-[A-Za-z]+)?\b")
# "BERT large", "RoBERTa base": a size written as a separate word belongs to the name.
_SPACED_SIZE = re.compile(r"\b([A-Z][\w\-]*[A-Za-z])[ _](base|large|small|tiny|mini|medium|xl|xxl)\b", re.I)
SIZES = ("base", "large", "small", "tiny", "mini", "medium", "xxl", "xl")
ICON = "[icon]"  # what the parser writes where a PDF shows a logo or glyph it cannot read (often a model's name)
# Groups whose members can stand in for one another in a wrong claim (MNLI vs SQuAD, XNLI vs PAWS-X).
GROUPS = {"benchmarks": "data", "tasks": "data", "datasets": "data", "models": "models", "metrics": "metrics",
          "languages": "languages", "name": "name"}
# Groups a replaced name may come from: an unknown name may stand in for a model and the other way round.
RIVAL_GROUPS = {"data": {"data"}, "models": {"models"}, "name": {"name"}, "metrics": {"metrics"},
                "languages": {"languages"}}
_WORD = re.compile(r"[a-z][a-z0-9\-]+")


def entity_key(name: str) -> str:
    """'BERT-Large', 'BERT_LARGE', 'BERTLARGE', 'BERT large' → 'bertlarge'."""
    return re.sub(r"[^a-z0-9+]", "", name.lower())


def split_size(key: str) -> tuple[str, str | None]:
    """'bertlarge' → ('bert', 'large'); 'qqp' → ('qqp', None)."""
    for size in SIZES:
        if key.endswith(size) and len(key) > len(size) + 1:
            return key[: -len(size)], size
    return key, None


@dataclass(frozen=True)
class Mention:
    text: str  # as written
    key: str
    group: str
    start: int
    end: int


@lru_cache(maxsize=16384)
def mentions(text: str) -> tuple[Mention, ...]:
    """Named things in `text`: gazetteer entities (as written, so a size suffix is kept), name-like tokens, and
    capitalised words inside a sentence. Cached: callers must not modify the result."""
    from synth.claims.entities import entity_spans

    text = _SPACED_SIZE.sub(lambda m: f"{m[1]}-{m[2]}", text)  # same length: offsets stay valid
    found: list[Mention] = []
    covered: list[tuple[int, int]] = []
    for span in entity_spans(text):
        surface = _widen(text, span.start, span.end)
        # canonical gazetteer name (English = EN = en), plus a size written after it (BERT-large)
        size = split_size(entity_key(surface))[1]
        key = entity_key(span.name) + (size if size and not entity_key(span.name).endswith(size) else "")
        found.append(Mention(surface, key, GROUPS.get(span.category, span.category), span.start,
                             span.start + len(surface)))
        covered.append((span.start, span.start + len(surface)))
    for pattern in (_NAME, _CAPITALISED):
        for m in pattern.finditer(text):
            if any(s <= m.start() < e for s, e in covered):
                continue
            token = m.group(0)
            if token.lower() in STOPWORDS:
                continue
            found.append(Mention(token, entity_key(token), "name", m.start(), m.end()))
            covered.append((m.start(), m.end()))
    return tuple(sorted(found, key=lambda x: x.start))


def _widen(text: str, start: int, end: int) -> str:
    """A gazetteer hit plus a glued size or variant suffix ('BERT' in 'BERT-large' → 'BERT-large')."""
    m = re.match(r"[\w\-]*", text[end:])
    return text[start:end + (m.end() if m else 0)].rstrip("-")


def names_in(text: str) -> dict[str, str]:
    """{name: group} of `text`, each name as written and, for gazetteer names, also canonical ('English' and
    'en'): table headers use either."""
    from synth.claims.entities import entity_spans

    out = {m.text: m.group for m in mentions(text)}
    for span in entity_spans(text):
        out.setdefault(span.name, GROUPS.get(span.category, span.category))
    return out


@dataclass
class PaperNames:
    """What one paper calls things: its abbreviations ("RoBERTa-base (RoB)": rob → robertabase) and its own
    system (from the title and "we introduce/propose X")."""

    aliases: dict[str, str] = field(default_factory=dict)
    own: set[str] = field(default_factory=set)
    lower_words: set[str] = field(default_factory=set)  # words the paper writes in lower case (not names)
    keys: str = ""  # the whole text as one entity key ('Cosmos QA' → …cosmosqa…): is a name in the paper at all
    sentence_keys: list[str] = field(default_factory=list)  # each sentence as one entity key
    title_key: str = ""
    _topic: dict[str, bool] = field(default_factory=dict)

    @classmethod
    def read(cls, title: str, sentences: list[str]) -> "PaperNames":
        names = cls(keys=entity_key(" ".join([title, *sentences])), sentence_keys=[entity_key(t) for t in sentences],
                    title_key=entity_key(title))
        for text in sentences:
            names.lower_words.update(_WORD.findall(text))
            for m in re.finditer(r"([A-Za-z][\w\-+]*(?: [A-Za-z][\w\-+]*){0,4})\s*\(\s*([A-Za-z][\w\-+]{1,11})\s*[;,)]",
                                 text):
                names._abbreviation(m[1], m[2])
            for m in re.finditer(r"\b(?:we|We) (?:introduce|propose|present|call) ([A-Z][\w\-]+)", text):
                names.own.add(entity_key(m[1]))
        for m in mentions(title):  # 'CheckList' in "Behavioral Testing ... with CheckList", not 'Testing'
            if m.group == "name" and (sum(c.isupper() for c in m.text) > 1 or any(c.isdigit() for c in m.text)):
                names.own.add(m.key)
        return names

    def is_topic(self, key: str) -> bool:
        """What the paper is about: a name in its title or in at least 3 % of its sentences (BERT in a BERT
        paper). A sentence need not repeat it for a claim to be about it."""
        if key not in self._topic:
            hits = sum(key in k for k in self.sentence_keys) if len(key) >= 3 else 0
            self._topic[key] = len(key) >= 3 and (key in self.title_key
                                                  or hits >= max(3, 0.03 * len(self.sentence_keys)))
        return self._topic[key]

    def absent(self, text: str) -> list[str]:
        """Names `text` uses that the paper never writes (neither as written nor by the gazetteer's name); names of
        3+ characters only (shorter keys occur inside other words by chance)."""
        out = []
        for m in mentions(text):
            if m.group == "metrics":  # 'accuracy' may be said as 'Acc.' or only in a table header
                continue
            keys = {k for k in (m.key, entity_key(m.text)) if len(k) >= 3}
            keys |= {k[:-1] for k in keys if k.endswith("s") and len(k) > 3}  # 'GPUs' of 'GPU'
            parts = [entity_key(p) for p in re.split(r"[-\s/]", m.text) if len(entity_key(p)) >= 3]
            if len(parts) > 1 and all(p in self.keys for p in parts):  # 'BERT-large' as 'BERT large'
                continue
            if keys and not any(k in self.keys or self.aliases.get(k, "\0") in self.keys for k in keys):
                out.append(m.text)
        return list(dict.fromkeys(out))

    def _abbreviation(self, words: str, short: str) -> None:
        """'RoBERTa-base (RoB)' (a prefix) or 'machine comprehension (MC)' (initials) → an alias."""
        key = entity_key(short)
        if not key or key.isdigit():
            return
        parts = words.split()
        last = entity_key(parts[-1])
        if last != key and last.startswith(key) and parts[-1][:1].isupper():
            self.aliases.setdefault(key, last)
            return
        for n in range(len(parts), 1, -1):  # the shortest run of words whose initials spell it
            tail = parts[-n:]
            if "".join(w[0] for w in tail).lower() == key:
                self.aliases.setdefault(key, entity_key(" ".join(tail)))
                return

    def canonical(self, key: str) -> str:
        return self.aliases.get(key, key)


@dataclass
class EntityCheck:
    missing: list[str] = field(default_factory=list)  # in the claim, not in the evidence
    conflicts: list[tuple[str, str]] = field(default_factory=list)  # (claim name, source name)

    def note(self) -> str | None:
        if self.conflicts:
            return "; ".join(f"source says {s}, claim says {c}" for c, s in self.conflicts)
        if self.missing:
            return ", ".join(self.missing) + " not mentioned in the source"
        return None


def _same(a: str, b: str) -> bool:
    """Two keys name the same thing: equal, one without the other's size, or one with a footnote digit."""
    if a == b:
        return True
    (fa, sa), (fb, sb) = split_size(a), split_size(b)
    if fa == fb and (sa is None or sb is None):
        return True
    # a footnote mark glued to the name ('Groundhog7', 'SST-23' for SST-2 + footnote 3)
    return (b.startswith(a) and len(b) == len(a) + 1 and b[-1].isdigit()) or \
        (a.startswith(b) and len(a) == len(b) + 1 and a[-1].isdigit())


def _size_clash(a: str, b: str) -> bool:
    (fa, sa), (fb, sb) = split_size(a), split_size(b)
    return fa == fb and sa is not None and sb is not None and sa != sb


def _digit_clash(a: str, b: str) -> bool:
    """Keys equal but for their digits ('sst6' vs 'sst2'), letters present on both sides."""
    letters_a, letters_b = re.sub(r"\d", "", a), re.sub(r"\d", "", b)
    return a != b and len(letters_a) >= 1 and letters_a == letters_b and any(c.isdigit() for c in a) \
        and any(c.isdigit() for c in b) and not _same(a, b)


def _context(text: str, start: int, end: int, width: int = 20) -> set[str]:
    near = text[max(0, start - width):start] + " " + text[end:end + width]
    return {w for w in _WORD.findall(near.lower()) if w not in STOPWORDS}


def check_entities(claim_text: str, evidence_text: str, context_text: str = "",
                   paper: PaperNames | None = None, verbatim: bool = False) -> EntityCheck:
    """Compare the claim's named things with the evidence's. A name the evidence lacks is a conflict when the
    evidence has another name of the same kind in its place (the same words right around it, or - `verbatim`,
    the passage restates the claim - the only unmatched name of that kind on each side), else it is missing.
    `context_text` (the section's text before the evidence) counts as mentioning."""
    paper = paper or PaperNames()
    claim = [m for m in mentions(claim_text) if _is_name(m, paper)]
    source = [m for m in mentions(evidence_text) if _is_name(m, paper)]
    around = [m for m in mentions(context_text) if _is_name(m, paper)] if context_text else []
    canon = paper.canonical
    s_keys = [canon(m.key) for m in source]
    known = s_keys + [canon(m.key) for m in around]
    c_keys = [canon(m.key) for m in claim]
    check = EntityCheck()
    used: set[int] = set()
    for m, key in zip(claim, c_keys):
        # the evidence names the same model at another size (BERT-large for the claim's BERT-base): a conflict
        # even when the size the claim says is mentioned elsewhere in the section
        clash = next((i for i, k in enumerate(s_keys) if _size_clash(key, k)), None)
        if clash is None:  # the same name with other digits: SST-6 for SST-2, GPT-3 for GPT-2
            clash = next((i for i, k in enumerate(s_keys) if _digit_clash(key, k)), None)
        if clash is not None and not any(_same(key, k) for k in s_keys):
            used.add(clash)
            check.conflicts.append((m.text, source[clash].text))
            continue
        if any(_same(key, k) for k in s_keys) or key in paper.own:
            continue
        near = _context(claim_text, m.start, m.end)
        rivals = [i for i, (s, k) in enumerate(zip(source, s_keys)) if i not in used
                  and s.group in RIVAL_GROUPS.get(m.group, {m.group})
                  and not any(_same(k, ck) for ck in c_keys) and k not in paper.own]
        fitting = [i for i in rivals if near & _context(evidence_text, source[i].start, source[i].end)]
        if any(_same(key, k) for k in known) and not fitting:
            continue  # named in the section before: the passage need not repeat it, unless another name sits in
            # its place ('the MLP paragraph selector improved ...' against 'the RNN paragraph selector improves ...')
        lone = [m2 for m2, k2 in zip(claim, c_keys) if m2.group == m.group
                and not any(_same(k2, k) for k in known) and k2 not in paper.own]
        if not fitting and verbatim and len(rivals) == 1 and len(lone) == 1:
            fitting = rivals
        if fitting:
            used.add(fitting[0])
            check.conflicts.append((m.text, source[fitting[0]].text))
        elif m.text not in check.missing and not m.text.islower() and not (
                m.group in ("models", "name") and ICON in evidence_text) and not paper.is_topic(key):
            # 'accuracy' may be said in other words; a model may be an unreadable logo ('[icon]') in the PDF
            check.missing.append(m.text)
    return check


def _is_name(m: Mention, paper: PaperNames) -> bool:
    """Capitalised words the paper also writes in lower case are ordinary words ('Fairness', 'Commercial')."""
    if m.group != "name" or any(c.isdigit() for c in m.text) or sum(c.isupper() for c in m.text) > 1:
        return True
    return m.text.lower() not in paper.lower_words


def looks_english(text: str) -> bool:
    """False for text mostly in a non-Latin script or (6+ words) without any English function word."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return True
    latin = sum(ch < "\u0250" for ch in letters)
    if latin / len(letters) < 0.6:
        return False
    words = re.findall(r"[a-zà-ÿ]+", text.lower())
    if len(words) < 6:
        return True
    return sum(w in STOPWORDS for w in words) / len(words) >= 0.08


_OWNER_CLAUSE = re.compile(r";|,\s*(?:but|while|whereas|and)\b|\b(?:while|whereas|but)\b")


def clause_span(text: str, pos: int) -> tuple[int, int]:
    """(start, end) of the clause around `pos` (clauses split at ';' and ', but/while/whereas/and')."""
    start, end = 0, len(text)
    for m in _OWNER_CLAUSE.finditer(text):
        if m.end() <= pos:
            start = m.end()
        elif m.start() >= pos:
            end = m.start()
            break
    return start, end


def _owners(text: str, pos: int, paper: PaperNames) -> list[Mention]:
    start, end = clause_span(text, pos)
    return [m for m in mentions(text) if start <= m.start < end and m.group in ("models", "name")
            and _is_name(m, paper)]


def check_ownership(claim_text: str, source_text: str, pairs: list[tuple[str, str]],
                    paper: PaperNames | None = None) -> str | None:
    """A number the source gives for another system: in 'the best BLEU of 25.3 with C2-50k, but the best CHRF3
    of 54.1 with BPE-J90k', 54.1 belongs to BPE-J90k; a claim giving 54.1 to C2-50k is wrong. `pairs` are
    (claim number, matching source number) as written."""
    paper = paper or PaperNames()
    canon = paper.canonical
    s_all = {canon(m.key) for m in mentions(source_text)}
    for c_num, s_num in pairs:
        c_at, s_at = claim_text.find(c_num), source_text.find(s_num)
        if c_at < 0 or s_at < 0:
            continue
        c_names, s_names = _owners(claim_text, c_at, paper), _owners(source_text, s_at, paper)
        s_keys = {canon(m.key) for m in s_names}
        c_keys = {canon(m.key) for m in c_names}
        for m in c_names:
            key = canon(m.key)
            if any(_same(key, k) for k in s_keys) or not any(_same(key, k) for k in s_all):
                continue  # with this number in the source too, or not a name the passage uses at all
            rival = next((s for s in s_names if not any(_same(canon(s.key), k) for k in c_keys)), None)
            if rival is not None:
                return f"source gives {s_num} for {rival.text}, claim gives it to {m.text}"
    return None


def owners_differ(claim_text: str, claim_number: str, source_text: str, source_number: str,
                  paper: PaperNames | None = None, logo_gap: bool = False) -> bool:
    """The two numbers are about different things: each one's clause names a system, task or dataset, and
    they share none ('24.4 for the syntax-based system' vs '25.3 with C2-50k')."""
    paper = paper or PaperNames()
    c_at, s_at = claim_text.find(claim_number), source_text.find(source_number)
    if c_at < 0 or s_at < 0:
        return False

    def owners(text: str, pos: int, kinds: tuple[str, ...]) -> list[str]:
        start, end = clause_span(text, pos)
        return [paper.canonical(m.key) for m in mentions(text) if start <= m.start < end
                and m.group in kinds and _is_name(m, paper)]

    # systems with systems, datasets with datasets: 'QQP' and 'RoB' say nothing about each other
    for kinds in (("models", "name"), ("data",)):
        mine, theirs = owners(claim_text, c_at, kinds), owners(source_text, s_at, kinds)
        if logo_gap and kinds[0] == "models":  # a model printed as a logo: the claim's models cannot be compared
            models = {paper.canonical(m.key) for m in mentions(claim_text) if m.group == "models"}
            mine = [k for k in mine if k not in models]
        if mine and theirs and not any(_same(a, b) for a in mine for b in theirs):
            return True
    # a number the claim gives for a language the source passage never names ('67.58 on Arabic' against a
    # sentence about the average, or about English)
    start, end = clause_span(claim_text, c_at)
    languages = {m.key for m in mentions(claim_text) if start <= m.start < end and m.group == "languages"}
    there = {m.key for m in mentions(source_text) if m.group == "languages"}
    if not there:  # only a passage about an average says no language (names it may write unrecognised: EN→DE)
        return bool(languages) and re.search(r"\b(?:average|averaged|mean|across)\b", source_text, re.I) is not None
    return bool(languages - there)
