{#- The delete before an incremental insert: the stored rows of the persons being rebuilt
    (when `persons` is given) and those whose unique_key is among the new rows. -#}
{% macro event_incremental_delete_sql(target, new_rows, unique_key, persons=none) -%}
    delete from {{ target }}
    where
        {%- if persons is not none %}
        person_id in (select person_id from {{ persons }})
        or
        {%- endif %}
        {{ unique_key }} in (select {{ unique_key }} from {{ new_rows }})
{%- endmacro %}
