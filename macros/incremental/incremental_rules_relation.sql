{#- The table incremental_rules in the target's schema: the rules each event_incremental
    model was built under, one row per model: model (schema.name), rules (macro
    incremental_rules as JSON). Created at the start of every run (on-run-start), while one
    thread runs, so the models, built in parallel, only write their own rows. -#}
{% macro incremental_rules_relation() -%}
    {{ return(api.Relation.create(
        database=target.database, schema=target.schema, identifier='incremental_rules',
        type='table'
    )) }}
{%- endmacro %}
