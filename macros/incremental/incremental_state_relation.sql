{#- The table incremental_state in the target's schema, one row per event_incremental model:
    model (schema.name), rules (macro incremental_rules as JSON: the rules its stored rows
    were built under) and loaded_until (for incremental_strategy affected_persons: the newest
    loaded_at of the events the last build read, from which the next run's arrivals count).
    Created at the start of every run (on-run-start), while one thread runs, so the models,
    built in parallel, only write their own rows. -#}
{% macro incremental_state_relation() -%}
    {{ return(api.Relation.create(
        database=target.database, schema=target.schema, identifier='incremental_state',
        type='table'
    )) }}
{%- endmacro %}
