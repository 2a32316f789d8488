"""Users of the product: agents, managers, coordinators, data stewards."""

from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """A person who logs in. Roles and structure memberships live beside it."""
