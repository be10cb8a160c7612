"""Bad input: each problem is a clear per-claim verdict and the run goes on."""

from __future__ import annotations

from synth.core.models import Claim, SourceSpan


def test_bad_claims_get_their_own_verdicts_and_the_run_continues(verifier, settings):
    from synth.verify.runner import verify_claims

    claims = [
        Claim(id="b-c01", text="MNLI helps a lot."),
        Claim(id="b-c02", text="XLM-R gains 5.4 points on XTREME.", cites=["2005.13013"]),
        Claim(id="b-c03", text="Das Zwischentraining auf MNLI verbessert die durchschnittliche Genauigkeit um "
                               "6.3 Punkte gegenüber der Basislinie.", cites=["2101.00001"]),
        Claim(id="b-c04", text="MNLI improves accuracy. " * 80, cites=["2101.00001"]),
        Claim(id="b-c05", text="   ", cites=["2101.00001"]),
        Claim(id="b-c06", text="Without intermediate training the average is 67.0.", cites=["not-an-id"]),
        Claim(id="b-c07", text="Without intermediate training the average is 67.0.",
              source=SourceSpan(paper="2101.00001", version=7)),
        Claim(id="b-c08", text="Without intermediate training the average is 67.0.", cites=["2101.00001"]),
        Claim(id="b-c09", text="Without intermediate training the average is 67.0.",
              source=SourceSpan(paper="not an id")),
        Claim(id="b-c10", text="Without intermediate training the average is 67.0.", source=SourceSpan(paper="../x")),
    ]
    out = {o.claim.id: o.verification for o in verify_claims(claims, verifier.library, settings, verifier=verifier)}
    assert out["b-c01"].label == "error" and "cites no source" in out["b-c01"].reason
    assert out["b-c02"].label == "error" and "synth fetch 2005.13013" in out["b-c02"].reason
    if verifier.dense.enabled:  # the multilingual encoder finds the English sentence a German claim restates
        assert out["b-c03"].label in ("supported", "partially_supported") and out["b-c03"].evidence
    else:
        assert out["b-c03"].label == "not_found" and "not in English" in out["b-c03"].reason
    assert out["b-c04"].label == "error" and "too long" in out["b-c04"].reason
    assert out["b-c05"].label == "error" and "no text" in out["b-c05"].reason
    assert out["b-c06"].label == "error" and "not a paper id" in out["b-c06"].reason
    # a version the library lacks: checked against the stored one, with a note (issue 23)
    assert out["b-c07"].label == "supported" and out["b-c07"].evidence[0].version == 2
    assert "cites 2101.00001v7, which is not in the library: checked against 2101.00001v2" in out["b-c07"].reason
    assert out["b-c08"].label == "supported"  # the good claim after all the bad ones
    assert out["b-c09"].label == "error" and "source.paper 'not an id' is not a paper id" in out["b-c09"].reason
    assert out["b-c10"].label == "error" and "source.paper '../x' is not a paper id" in out["b-c10"].reason
    # an error is not a judgement about the claim: it carries no confidence
    assert all(v.confidence is None for v in out.values() if v.label == "error")
    assert out["b-c08"].confidence is not None


def test_claim_without_source_needs_any_source(check):
    v = check("The largest gain is on Swahili, with +8.35 points.", cites=[])
    assert v.label == "error" and "--any-source" in v.reason


def test_any_source_finds_the_paper(verifier):
    from synth.core.models import Claim

    v = verifier.verify(Claim(id="a-c01", text="The largest gain is on Swahili, with +8.35 points."), any_source=True)
    assert v.label == "supported" and v.evidence[0].paper == "2101.00002"


def test_empty_paper_is_reported(verifier, monkeypatch):
    from synth.core.models import PaperMeta
    from synth.verify.claim_verifier import Verifier

    empty = PaperMeta(id="2101.09999", version=1, source="arxiv", sha256="0" * 64, size_bytes=10,
                      fetched_at="2026-01-01T00:00:00Z", n_sentences=0)
    fresh = Verifier(verifier.library)
    monkeypatch.setattr(fresh.cache, "versions", lambda pid: [empty] if pid == "2101.09999" else [])
    v = fresh.verify(Claim(id="e-c01", text="MNLI helps.", cites=["2101.09999"]))
    assert v.label == "error" and "has no text" in v.reason


def test_missing_nli_model_folder_is_a_clear_error(verifier, tmp_path):
    import pytest

    from synth.core.errors import ConfigError
    from synth.verify.claim_verifier import Verifier

    with pytest.raises(ConfigError, match="not a local model folder"):
        Verifier(verifier.library, nli_model=tmp_path / "nope")


def test_replicate_attaches_the_replication_verdict(verifier, settings):
    from synth.core.models import ExperimentLink
    from synth.verify.runner import verify_claims

    link = ExperimentLink(experiment="xstilts", metric="xnli.accuracy", target="xnli", expected=5.5,
                          comparison="<intermediate> - baseline", intermediate="mnli")
    claims = [Claim(id="r-c01", text="Without intermediate training the average is 67.0.", cites=["2101.00001"],
                    experiment=link),
              Claim(id="r-c02", text="MNLI beats the baseline by 5.5 points on XNLI.", experiment=link)]
    out = verify_claims(claims, verifier.library, settings, replicate=True, verifier=verifier)
    first, second = (o.verification for o in out)
    assert first.label == "supported"  # the text verdict stays the label ...
    assert first.replication.label == "inconclusive" and "no results" in first.replication.reason
    assert second.label == "inconclusive"  # ... a claim with only an experiment gets the run's verdict
