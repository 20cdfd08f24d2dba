import factory

from forgecrm.platform.models import Role, Team, Territory, User

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.kr")
    full_name = factory.Sequence(lambda n: f"사용자{n}")
    role = Role.SALES_REP
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def hierarchy(self, create, extracted, **kwargs):
        # Mirrors operations.set_manager for a leaf user.
        self.hierarchy_path = f"{self.manager.hierarchy_path}{self.manager.pk}/" if self.manager else "/"
        if create:
            self.save()


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"팀 {n}")

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        if create and extracted:
            self.members.set(extracted)


class TerritoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Territory

    name = factory.Sequence(lambda n: f"구역 {n}")
    code = factory.Sequence(lambda n: f"T{n:04d}")
    parent = None
    path = factory.LazyAttribute(lambda t: f"{t.parent.path}{t.parent.pk}/" if t.parent else "/")
