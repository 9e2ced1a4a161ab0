"""Create a staff account in the Editors group (or Reviewers, who may also publish)."""
import getpass
import os
import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import BaseCommand, CommandError
from django.db import transaction

from faq.models import ReviewerProfile

PASSWORD_ENV = "DJANGO_EDITOR_PASSWORD"  # noqa: S105 (a variable name, not a secret)


class Command(BaseCommand):
    help = (
        "Create a staff user in the Editors group (--reviewer: Reviewers). The password is "
        f"asked for twice, or read from ${PASSWORD_ENV} when there is no terminal."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--reviewer", action="store_true", help="Reviewers may also publish and delete."
        )
        parser.add_argument("--name", default="", help="A reviewer's name as readers see it.")
        parser.add_argument(
            "--credentials", default="", help="A reviewer's qualifications and speciality."
        )

    def handle(self, *args, username, email, reviewer, name, credentials, **options):
        User = get_user_model()
        if (name or credentials) and not (reviewer and name and credentials):
            raise CommandError("--name and --credentials go together, with --reviewer.")
        if User.objects.filter(username=username).exists():
            raise CommandError(f"A user named “{username}” already exists; choose another name.")
        group_name = "Reviewers" if reviewer else "Editors"
        group = Group.objects.filter(name=group_name).first()
        if group is None:
            raise CommandError(f"The {group_name} group is missing: run `manage.py migrate` first.")
        user = User(username=username, email=email, is_staff=True)
        password = self.read_password()
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("Password refused: " + " ".join(exc.messages)) from exc
        user.set_password(password)
        with transaction.atomic():
            user.save()
            user.groups.add(group)
            if name:
                ReviewerProfile.objects.create(user=user, name=name, credentials=credentials)
        self.stdout.write(self.style.SUCCESS(f"Created {group_name[:-1].lower()} “{username}”."))

    def read_password(self):
        """The password from the environment, or typed twice at a terminal."""
        from_env = os.environ.get(PASSWORD_ENV)
        if from_env:
            return from_env
        if not sys.stdin.isatty():
            raise CommandError(f"No terminal to ask for a password: set ${PASSWORD_ENV}.")
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ; nothing was created.")
        return first
