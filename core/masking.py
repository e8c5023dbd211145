"""Masked forms of personal data, shown by default everywhere (DESIGN.md rule 6):
张*, 138****1234, 1***************2X. Unmasked values need a grant and are logged
(areas.audit)."""

MASK = "*"


def mask_name(name: str) -> str:
    """Keep the first character (the surname, usually): 张三 → 张*, 欧阳小明 → 欧***."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    return name[0] + MASK * (len(name) - 1)


def mask_phone(phone: str) -> str:
    """13812341234 → 138****1234."""
    if not phone or len(phone) < 7:
        return MASK * len(phone or "")
    return phone[:3] + MASK * (len(phone) - 7) + phone[-4:]


def mask_id_number(value: str) -> str:
    """First character and the last two: 11010519491231002X → 1***************2X."""
    if not value:
        return ""
    if len(value) <= 3:
        return MASK * len(value)
    return value[0] + MASK * (len(value) - 3) + value[-2:]
