# Awards move from the round to the track (issues 10 and 14): each track sets its prizes, honourable mentions and
# the entries it needs before giving a first prize. Existing tracks take their competition's largest round value of
# honourable mentions (at most 20, the new limit), so a republished round gives the mentions it gave before.

import django.core.validators
from django.db import migrations, models
from django.db.models import Max


def copy_honourable_mentions(apps, schema_editor):
    Competition = apps.get_model("competitions", "Competition")
    Track = apps.get_model("competitions", "Track")
    for competition in Competition.objects.annotate(mentions=Max("rounds__honourable_mentions")):
        if competition.mentions:
            Track.objects.filter(competition=competition).update(honourable_mentions=min(competition.mentions, 20))


def copy_back(apps, schema_editor):
    Competition = apps.get_model("competitions", "Competition")
    Round = apps.get_model("competitions", "Round")
    for competition in Competition.objects.annotate(mentions=Max("tracks__honourable_mentions")):
        Round.objects.filter(competition=competition).update(honourable_mentions=competition.mentions or 0)


class Migration(migrations.Migration):

    dependencies = [
        ('competitions', '0010_team_invitation'),
    ]

    operations = [
        migrations.AddField(
            model_name='track',
            name='prizes',
            field=models.PositiveSmallIntegerField(default=3, help_text='How many ranked prizes the track gives, 0 to 3: 1 is a first prize only, 3 first, second and third.', validators=[django.core.validators.MaxValueValidator(3)], verbose_name='prizes'),
        ),
        migrations.AddField(
            model_name='track',
            name='honourable_mentions',
            field=models.PositiveSmallIntegerField(default=0, help_text='How many entries ranked after the prizes receive an honourable mention, 0 to 20.', validators=[django.core.validators.MaxValueValidator(20)], verbose_name='honourable mentions'),
        ),
        migrations.AddField(
            model_name='track',
            name='min_entries_for_first_prize',
            field=models.PositiveSmallIntegerField(default=3, help_text='1 to 1000. With fewer ranked entries, first prize is withheld and the awards start at second prize.', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(1000)], verbose_name='entries needed for a first prize'),
        ),
        migrations.RunPython(copy_honourable_mentions, copy_back),
        migrations.RemoveField(
            model_name='round',
            name='honourable_mentions',
        ),
        migrations.AddConstraint(
            model_name='track',
            constraint=models.CheckConstraint(condition=models.Q(('prizes__lte', 3), ('honourable_mentions__lte', 20), ('min_entries_for_first_prize__gte', 1), ('min_entries_for_first_prize__lte', 1000)), name='track_awards_range'),
        ),
    ]
