{#- A select of the raw rows of every table of the tracker format (macro tracker_event_tables),
    each as the event contract (macro tracker_event_contract), stacked. -#}
{% macro select_tracker_tables() -%}
    {%- for relation, table_name in tracker_event_tables() %}
    select {{ tracker_event_contract('tracker_records.record', "'" ~ table_name ~ "'") }}
    from (
        select {{ row_as_json('tracker_rows') }} as record
        from {{ relation }} as tracker_rows
    ) as tracker_records
        {%- if not loop.last %}
    union all
        {%- endif -%}
    {%- endfor -%}
{%- endmacro %}
