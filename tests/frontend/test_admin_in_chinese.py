"""The Django admin in Chinese: the sentences Django's own catalogue leaves in English are given in Chinese by ours."""

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_admin_index_in_chinese_labels_its_model_tables_in_chinese(client: Client) -> None:
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    page = client.get("/admin/").content.decode()

    assert "模型名称" in page and "添加链接" in page and "修改或查看列表链接" in page
    assert "Model name" not in page and "Add link" not in page
