from cs_qa.core.normalize import normalize


def test_traditional_becomes_simplified():
    assert normalize("您好，歡迎光臨，請問有什麼可以幫您") == normalize(
        "您好，欢迎光临，请问有什么可以帮您"
    )


def test_full_width_folds_to_half_width():
    assert normalize("ＡＢＣ１２３") == "abc123"


def test_spaces_between_chinese_characters_are_removed():
    assert normalize("您 好 这 里 是 客 服 中 心") == "您好这里是客服中心"


def test_spaces_between_latin_words_are_kept():
    assert normalize("iPhone  15  Pro") == "iphone 15 pro"


def test_empty():
    assert normalize("") == ""
    assert normalize("   ") == ""


def test_spaced_asr_text_converts_like_unspaced_text():
    # OpenCC turns a lone 么 into 幺; spaces must be removed before conversion
    assert normalize("什 么 意 思") == "什么意思"


def test_taiwan_variants_fold_too():
    assert normalize("您先別著急") == "您先别着急"
    assert normalize("著名") == "著名"


def test_bare_keeps_letters_and_digits_only():
    from cs_qa.core.normalize import bare, spoken_chars

    assert bare(normalize("嗯嗯～！[微笑]"), collapse=True) == "嗯"
    assert bare(normalize("好的好的。"), collapse=True) == "好的"
    assert bare(normalize("订单[数字x]已发货")) == "订单已发货"
    assert spoken_chars(normalize("您 好，请 稍 等 ～")) == 5


def test_normalize_all_is_normalize_of_each_text():
    from conftest import SAMPLE

    from cs_qa.core.model import Conversation
    from cs_qa.core.normalize import normalize_all
    from cs_qa.ingest import discover, read_file

    edge = ["", " ", "著急 \u3000 x", "a\ue000b", "ＡＢＣ 著 急", "么", "\n嗯\t嗯\n", "OK"]
    groups = [edge, [], ["\ue000"], ["測試", "\ue000", "著急"]]
    for path, name in discover([SAMPLE]):
        for item in read_file(path, name):
            if isinstance(item, Conversation):
                groups.append([t.text for t in item.turns])
    assert len(groups) > 300
    for texts in groups:
        assert normalize_all(texts) == [normalize(t) for t in texts]


def test_texts_skipped_by_the_traditional_check_are_ones_opencc_leaves_alone():
    import unicodedata

    from conftest import REALDATA, SAMPLE

    from cs_qa.core.model import Conversation
    from cs_qa.core.normalize import _convertible
    from cs_qa.core.normalize import simplified_converter as _t2s
    from cs_qa.ingest import discover, read_file

    texts = ["乾隆皇帝", "著名作家", "著急", "什么", "甚麼", "這個", "后来", "皇后", "头发", "發票"]
    for path, name in discover([SAMPLE]):
        for item in read_file(path, name):
            if isinstance(item, Conversation):
                texts += [t.text for t in item.turns]
    if REALDATA.exists():
        for line in REALDATA.read_text(encoding="utf-8").splitlines():
            texts += line.split("\t")[6:7]
    skipped = 0
    for text in texts:
        folded = unicodedata.normalize("NFKC", text).lower()
        if _convertible().isdisjoint(folded):
            skipped += 1
            assert _t2s().convert(folded) == folded, text
    assert skipped > len(texts) // 2  # the check does skip most Simplified text
    assert "這" in _convertible() and "这" not in _convertible()
