from cs_qa.normalize import normalize


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
