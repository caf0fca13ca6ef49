{#
    The sales techniques whose lift on conversion to paid the board reports, as
    (technique, flag expression, population the comparison is made in) over
    fct_signup_funnel. The population keeps like with like: a consultation or a case study
    can only happen after a prospect is reached, so their lift is measured among reached
    signups; call techniques among signups whose calls say whether it was applied.
#}
{% macro sales_techniques() -%}
    {{ return([
        ('consultation_held', 'consultation_at is not null', 'reached_at is not null'),
        ('case_study_shown', 'saw_case_study', 'reached_at is not null'),
        ('webinar_attended', 'attended_webinar', 'true'),
        ('video_lessons_watched', 'watched_lessons', 'true'),
        ('local_caller_id', 'first_call_local_caller_id', 'first_call_local_caller_id is not null'),
        ('waited_six_rings', 'waited_six_rings', 'waited_six_rings is not null'),
        ('first_call_within_15_min', 'first_call_within_15_min', 'first_call_at is not null'),
    ]) }}
{%- endmacro %}
