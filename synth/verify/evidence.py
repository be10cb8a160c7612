"""Evidence passages and their alignment to a claim: a claim prepared once (normalised, stemmed), passages of
one or two adjacent sentences, fine alignment (rapidfuzz) with prefix matching for claims cut off mid-sentence,
and a per-run cache of the library's sentences and tables. The search itself is in synth.verify.search."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from synth.papers.library import Library
from synth.core.models import EVIDENCE_KINDS, Evidence, PaperMeta, PaperRef, Sentence, TableBlock

STOPWORDS = frozenset("""
a an the and or but if then than that this these those of in on at to for from by with without as is are was
were be been being it its we our us they their them he she his her which who whom whose what when where why how
also into over under between about across after before during while such both each all any some most more less
not no nor can could may might will would should shall do does did done has have had i e g et al vs via per
""".split())
END_PUNCT = tuple('.!?;:)"\'”’]')
ELLIPSIS = ("…", "...")
_WORDS = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*", re.UNICODE)
_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")
_SPACE = re.compile(r"\s+")


_SPELLED = re.compile(r"\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|"
                     r"fifty|hundred|dozen)\b")


def normalise(text: str) -> str:
    """Lower-case, NFKC, every number (digits or spelled out) replaced by '0' (numbers are checked separately),
    punctuation dropped."""
    text = unicodedata.normalize("NFKC", text).lower().replace("–", "-").replace("—", "-")
    text = _SPELLED.sub("0", _DIGITS.sub("0", text))
    return " ".join(_WORDS.findall(text))


# Words that reviews use in place of the paper's words; mapped onto one stem so paraphrases keep coverage.
SYNONYMS = {
    **dict.fromkeys("raise raises raised increase increases increased boost boosts boosted lift lifts improve "
                    "improves improved improvement improvements".split(), "improv"),
    **dict.fromkeys("mean average averaged averages".split(), "averag"),
    **dict.fromkeys("biggest greatest largest".split(), "largest"),
    **dict.fromkeys("higher above".split(), "above"),
    **dict.fromkeys("lower below".split(), "below"),
    **dict.fromkeys("attain attains achieve achieves reach reaches obtain obtains".split(), "reach"),
    **dict.fromkeys("versus against compared".split(), "compar"),
    **dict.fromkeys("use uses using used".split(), ""),
}


def stem(word: str) -> str:
    """A crude stem so that 'improves', 'improved' and 'improvement' meet (synonyms, else 6-letter prefix)."""
    if word in SYNONYMS:
        return SYNONYMS[word]
    return word[:6] if len(word) > 6 else word.rstrip("s") if len(word) > 3 else word


def content_words(norm: str) -> list[str]:
    return [w for w in norm.split() if w not in STOPWORDS and w != "0" and len(w) > 1 and SYNONYMS.get(w) != ""]


@dataclass
class PreparedClaim:
    """A claim ready for search and alignment (computed once per claim)."""

    text: str
    norm: str
    stems: set[str]
    bigrams: set[tuple[str, str]]
    query: str
    cut: bool  # looks cut off: an ellipsis, no final punctuation (reviews state claims as sentences), or flagged

    @classmethod
    def make(cls, text: str, flagged_truncated: bool = False) -> "PreparedClaim":
        raw = text.strip()
        ellipsis = raw.endswith(ELLIPSIS)
        for mark in ELLIPSIS:
            raw = raw.removesuffix(mark).rstrip()
        norm = normalise(raw)
        words = content_words(norm)
        cut = flagged_truncated or ellipsis or not raw.endswith(END_PUNCT)
        # search words come from the raw text ('F1' stays 'f1'); a possibly cut last word is left out
        raw_words = [w for w in _WORDS.findall(unicodedata.normalize("NFKC", raw).lower())
                     if w not in STOPWORDS and not _DIGITS.fullmatch(w) and len(w) > 1]
        if cut and len(raw_words) > 3:
            raw_words = raw_words[:-1]
        seq = [stem(w) for w in words]
        return cls(text=raw, norm=norm, stems=set(seq), bigrams=set(zip(seq, seq[1:])),
                   query=" ".join(list(dict.fromkeys(raw_words))[:32]), cut=cut)


@dataclass
class Passage:
    """One sentence or two adjacent sentences of one paper version, with exact provenance."""

    meta: PaperMeta
    sentences: list[Sentence]
    text: str
    norm: str = ""
    stems: set[str] = field(default_factory=set)
    bigrams: set[tuple[str, str]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.norm = normalise(self.text)
        seq = [stem(w) for w in content_words(self.norm)]
        # pairs one word apart count too: "English (en), German" still pairs English with German
        self.stems, self.bigrams = set(seq), set(zip(seq, seq[1:])) | set(zip(seq, seq[2:]))

    @property
    def first(self) -> Sentence:
        return self.sentences[0]

    def evidence(self, score: float) -> Evidence:
        s, e = self.sentences[0], self.sentences[-1]
        same_page = s.page == e.page
        return Evidence(paper=self.meta.id, version=self.meta.version, page=s.page, section=s.section,
                        start=s.start, end=e.end if same_page else s.end, quote=self.text, score=round(score, 4))


@dataclass
class Alignment:
    passage: Passage
    align: float  # 0..1, best of full, partial and token-set similarity
    coverage: float  # share of the claim's content words (stemmed) found in the passage
    prefix: float  # similarity of the claim to the start of the passage (cut-off claims)
    truncated: bool
    bigrams: float = 0.0  # share of the claim's consecutive content-word pairs found in the passage
    contained: float = 0.0  # share of the passage's content words found in the claim (claim = source + more)
    rank: float = 0.0
    bm25: float = 0.0
    dense: float = 0.0  # cosine of the claim with the passage's embedding(s) (0: no embeddings)
    anchors: float = 0.0  # share of the claim's distinctive numbers that this passage contains
    claim: "PreparedClaim | None" = None

    @property
    def found_score(self) -> float:
        """How surely this passage states the claim at all (numbers aside): mean of the similarities, where a
        claim that contains the whole passage (plus more) counts as covered."""
        return (self.align + max(self.coverage, self.contained) + self.bigrams) / 3

    @property
    def two_sentences(self) -> bool:
        return len(self.passage.sentences) > 1


def score_alignment(claim: PreparedClaim, passage: Passage) -> Alignment:
    """Fine alignment of a claim to a passage (numbers masked: a wrong number still aligns, then conflicts)."""
    p_norm = passage.norm
    c_norm = claim.norm
    if not c_norm or not p_norm:
        return Alignment(passage, 0.0, 0.0, 0.0, False, 0.0)
    ratio = fuzz.ratio(c_norm, p_norm) / 100
    partial = fuzz.partial_ratio(c_norm, p_norm) / 100 if len(c_norm) < len(p_norm) else ratio
    token_set = fuzz.token_set_ratio(c_norm, p_norm) / 100
    align = max(ratio, (partial + token_set) / 2)
    coverage = len(claim.stems & passage.stems) / len(claim.stems) if claim.stems else 0.0
    contained = len(claim.stems & passage.stems) / len(passage.stems) if passage.stems else 0.0
    bigrams = len(claim.bigrams & passage.bigrams) / len(claim.bigrams) if claim.bigrams else coverage
    prefix = fuzz.ratio(c_norm, p_norm[:len(c_norm)]) / 100
    truncated = False
    c_tokens, p_tokens = c_norm.split(), p_norm.split()
    if p_tokens[:1] == ["0"] and c_tokens[:1] != ["0"]:  # a footnote mark glued to the first word ('10Joint')
        p_tokens = p_tokens[1:]
        prefix = max(prefix, fuzz.ratio(c_norm, " ".join(p_tokens)[:len(c_norm)]) / 100)
    n = len(c_tokens)
    if n <= len(p_tokens) and prefix >= 0.9:
        head_ok = fuzz.ratio(" ".join(c_tokens[:-1]), " ".join(p_tokens[:n - 1])) >= 90
        tail, there = c_tokens[-1], p_tokens[n - 1]
        cut_mid_word = there.startswith(tail) and len(there) > len(tail)
        # a cut inside the last number is invisible after masking: the raw text is then clearly shorter
        shorter = n < len(p_tokens) or len(claim.text) + 2 < len(passage.text)
        truncated = head_ok and shorter and (cut_mid_word or (claim.cut and tail == there))
        if truncated:
            align = max(align, prefix)
    rank = 0.5 * align + 0.25 * coverage + 0.25 * bigrams
    if truncated:  # a cut-off claim covers only the start of its sentence: the prefix match is what counts
        rank = max(rank, 0.95 * prefix)
    return Alignment(passage, align, coverage, prefix, truncated, bigrams, contained, rank)


class SourceCache:
    """Per-run cache of sentences and tables of the library's papers (each file read once)."""

    def __init__(self, library: Library):
        self.library = library
        self._sentences: dict[str, dict[int, Sentence]] = {}
        self._tables: dict[str, list[TableBlock]] = {}
        self._metas: dict[str, PaperMeta] = {}
        self._versions: dict[str, list[PaperMeta]] = {}
        self._passages: dict[tuple[str, int, int], Passage] = {}
        self.table_values: dict[tuple, list] = {}  # tablecheck's values per table (see check_tables' memo)
        self._df: dict[str, int] = {}
        self._numbers: dict[str, dict[int, list]] = {}
        self._vocabulary: dict[str, set[str]] = {}
        self._stats = None

    def versions(self, paper_id: str) -> list[PaperMeta]:
        if paper_id not in self._versions:
            self._versions[paper_id] = self.library.versions(paper_id)
            for m in self._versions[paper_id]:
                self._metas[m.key] = m
        return self._versions[paper_id]

    def meta(self, key: str, paper_id: str) -> PaperMeta:
        if key not in self._metas:
            self.versions(paper_id)
        return self._metas[key]

    def sentences(self, meta: PaperMeta) -> dict[int, Sentence]:
        if meta.key not in self._sentences:
            self._sentences[meta.key] = {s.idx: s for s in self.library.iter_sentences(meta)}
        return self._sentences[meta.key]

    def distinctive(self, query: str, keep_share: float = 0.08, at_least: int = 4) -> str:
        """The query without words that occur in more than `keep_share` of all sentences (they match nearly
        everything and make BM25 rank the whole library); at least the `at_least` rarest words stay."""
        words = query.split()
        if len(words) <= at_least:
            return query
        stats = self._term_stats()
        if stats is None:
            return query
        conn, total = stats
        for w in words:
            if w not in self._df:
                row = conn.execute("SELECT count(*) FROM sentences_fts WHERE sentences_fts MATCH ?",
                                   ('"' + w.replace('"', '""') + '"',)).fetchone()
                self._df[w] = row[0]
        keep = [w for w in words if self._df[w] <= keep_share * total]
        if len(keep) < at_least:
            rarest = set(sorted(words, key=lambda w: self._df[w])[:at_least])
            keep = [w for w in words if w in rarest]
        return " ".join(keep)

    def _term_stats(self):
        """A read-only connection to the library's index and its sentence count (None when unavailable)."""
        if self._stats is None:
            import sqlite3

            try:
                conn = sqlite3.connect(f"file:{self.library.db_path}?mode=ro", uri=True, check_same_thread=False)
                total = conn.execute("SELECT count(*) FROM sentences").fetchone()[0]
                self._stats = (conn, max(1, total))
            except sqlite3.Error:
                self._stats = False
        return self._stats or None

    def passage(self, meta: PaperMeta, first: int, last: int) -> Passage | None:
        """Sentences first..last (one or two) of a paper version, normalised once and kept."""
        key = (meta.key, first, last)
        if key not in self._passages:
            sents = self.sentences(meta)
            parts = [sents.get(i) for i in range(first, last + 1)]
            if any(p is None for p in parts):
                return None
            self._passages[key] = Passage(meta, parts, " ".join(p.text for p in parts))
        return self._passages[key]

    def vocabulary(self, meta: PaperMeta) -> set[str]:
        """Every content-word stem a paper version uses (its text and its tables, not its references)."""
        if meta.key not in self._vocabulary:
            words = {stem(w) for s in self.sentences(meta).values() if s.kind != "references"
                     for w in content_words(normalise(s.text))}
            words |= {stem(w) for t in self.tables(meta) for w in content_words(normalise(f"{t.caption} {t.raw}"))}
            self._vocabulary[meta.key] = words
        return self._vocabulary[meta.key]

    def numbers(self, meta: PaperMeta) -> dict[int, list]:
        """Numbers (synth.core.numbers.Num) of each evidence sentence of a paper version (idx → numbers)."""
        if meta.key not in self._numbers:
            from synth.core.numbers import extract_numbers

            self._numbers[meta.key] = {i: extract_numbers(s.text) for i, s in self.sentences(meta).items()
                                       if s.kind in EVIDENCE_KINDS}
        return self._numbers[meta.key]

    def tables(self, meta: PaperMeta) -> list[TableBlock]:
        if meta.key not in self._tables:
            try:
                self._tables[meta.key] = self.library.tables(meta)
            except FileNotFoundError:
                self._tables[meta.key] = []
        return self._tables[meta.key]


def neighbours(cache: SourceCache, meta: PaperMeta, idx: int) -> list[Passage]:
    """The sentence paired with the previous and with the next sentence of the same section."""
    sents = cache.sentences(meta)
    s = sents.get(idx)
    out = []
    for first in (idx - 1, idx):
        a, b = sents.get(first), sents.get(first + 1)
        if s is not None and a is not None and b is not None and a.kind == b.kind and a.section == b.section:
            out.append(cache.passage(meta, first, first + 1))
    return out
