{#- Records the current rules (macro incremental_rules) as those `relation` is built under,
    and `loaded_until` (a timestamp text, or none) as the newest loaded_at it has read. -#}
{% macro store_incremental_state(relation, loaded_until=none) -%}
    {%- set state_row -%}
        select
            {{ text_literal(relation.schema ~ '.' ~ relation.identifier) }} as model,
            {{ text_literal(tojson(incremental_rules(), sort_keys=true)) }} as rules,
            {% if loaded_until is not none -%}
                cast('{{ loaded_until }}' as {{ dbt.type_timestamp() }})
            {%- else -%}
                cast(null as {{ dbt.type_timestamp() }})
            {%- endif %} as loaded_until
    {%- endset -%}
    {%- do adapter.dispatch('store_incremental_state', 'behavioral_warehouse')(relation, state_row) -%}
{%- endmacro %}

{% macro default__store_incremental_state(relation, state_row) -%}
    {%- do run_query(
        'delete from ' ~ incremental_state_relation() ~ ' where model = '
        ~ text_literal(relation.schema ~ '.' ~ relation.identifier)
    ) -%}
    {%- do run_query(
        'insert into ' ~ incremental_state_relation() ~ ' (model, rules, loaded_until)\n' ~ state_row
    ) -%}
{%- endmacro %}

{#- Spark: the model's own state table (spark__incremental_state_relation), overwritten. -#}
{% macro spark__store_incremental_state(relation, state_row) -%}
    {%- do run_query(
        'create table if not exists ' ~ incremental_state_relation() ~ ' (model '
        ~ dbt.type_string() ~ ', rules ' ~ dbt.type_string() ~ ', loaded_until '
        ~ dbt.type_timestamp() ~ ')'
    ) -%}
    {%- do run_query('insert overwrite table ' ~ incremental_state_relation() ~ '\n' ~ state_row) -%}
{%- endmacro %}
