from core.masking import mask_id_number, mask_name, mask_phone


def test_names_keep_the_first_character():
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳小明") == "欧***"
    assert mask_name("王") == "王"


def test_phones_keep_the_first_three_and_last_four_digits():
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("") == ""


def test_id_numbers_keep_the_first_character_and_the_last_two():
    assert mask_id_number("11010519491231002X") == "1***************2X"
    assert mask_id_number("") == ""
