{#- The rows of a person-dated relation in the `days` days before each person snapshot (all
    days before it when `days` is none), with days_before (1 = the day before the snapshot):
    a select of person_id, snapshot_date, the `columns` and days_before. Reads the caller's
    CTE person_snapshots (person_id, snapshot_date). -#}
{% macro rows_before_snapshots(relation, date_column, columns, days=none) -%}
select
    person_snapshots.person_id,
    person_snapshots.snapshot_date,
    {%- for column in columns %}
    {{ relation }}.{{ column }},
    {%- endfor %}
    {{ dbt.datediff(relation ~ '.' ~ date_column, 'person_snapshots.snapshot_date', 'day') }}
        as days_before
from person_snapshots
inner join {{ relation }}
    on
        person_snapshots.person_id = {{ relation }}.person_id
        and person_snapshots.snapshot_date > {{ relation }}.{{ date_column }}
        {%- if days is not none %}
        and {{ relation }}.{{ date_column }}
        >= {{ dbt.dateadd('day', -days, 'person_snapshots.snapshot_date') }}
        {%- endif %}
{%- endmacro %}
