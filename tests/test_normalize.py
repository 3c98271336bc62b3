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
