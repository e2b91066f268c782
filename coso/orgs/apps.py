from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "coso.orgs"
    label = "orgs"
    verbose_name = "Tổ chức đảng"
