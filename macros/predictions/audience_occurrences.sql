{#- The occurrences of one audience (a declaration of macro audience_declarations) as a select
    of person_id, occurred_at and ends_at_cap (a time the membership cannot outlast, or
    null): an event of event_names (event_count); the first then_event within within_hours
    of a first_event (sequence), or, negated, the moment within_hours after a first_event not
    so followed, capped at the next then_event (the cart bought after all); a snapshot whose
    row meets condition (snapshot). Reads the caller's CTEs audience_events (person_id,
    event_id, event_name, occurred_at) and audience_snapshots (the columns of
    fct_person_features and the scores of fct_person_scores). -#}
{% macro audience_occurrences(audience) -%}
    {%- set within = audience.within_hours -%}
    {%- if audience.kind == 'event_count' -%}
select
    person_id,
    occurred_at,
    cast(null as timestamp) as ends_at_cap
from audience_events
where event_name in ('{{ audience.event_names | join("', '") }}')
    {%- elif audience.kind == 'sequence' -%}
select
    firsts.person_id,
    {%- if audience.negate %}
    {{ timestamp_add_hours(within, 'firsts.occurred_at') }} as occurred_at,
    min(thens.occurred_at) as ends_at_cap
    {%- else %}
    min(thens.occurred_at) as occurred_at,
    cast(null as timestamp) as ends_at_cap
    {%- endif %}
from audience_events as firsts
{{ 'left' if audience.negate else 'inner' }} join audience_events as thens
    on
        firsts.person_id = thens.person_id
        and thens.event_name = '{{ audience.then_event }}'
        and thens.occurred_at >= firsts.occurred_at
        {%- if not audience.negate %}
        and thens.occurred_at < {{ timestamp_add_hours(within, 'firsts.occurred_at') }}
        {%- endif %}
where firsts.event_name = '{{ audience.first_event }}'
group by
    firsts.person_id,
    firsts.event_id,
    firsts.occurred_at
        {%- if audience.negate %}
having
    min(thens.occurred_at) is null
    or min(thens.occurred_at) >= {{ timestamp_add_hours(within, 'firsts.occurred_at') }}
        {%- endif %}
    {%- else -%}
select
    person_id,
    cast(snapshot_date as timestamp) as occurred_at,
    cast(null as timestamp) as ends_at_cap
from audience_snapshots
where {{ audience.condition }}
    {%- endif -%}
{%- endmacro %}
