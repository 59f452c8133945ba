{#- Pre-hook of the person-keyed incremental models: on an incremental run, stores the
    persons to rebuild (macro incremental_affected_persons over `history`, against
    `watermark_column` of the model) in affected_persons_relation(), which
    affected_person_events joins. Stored once, before the run changes the model, every
    statement of the run (each person bucket) rebuilds the same persons; and a stored
    table has an exact row count, so the join hashes the persons, not the events (inline,
    the planner estimated over a billion affected persons at 100M events and hashed all
    100M events, spilling past the disk). Drops a table left over by an interrupted run
    either way. -#}
{% macro store_affected_persons(watermark_column, history=none) -%}
    {%- if execute -%}
        {%- set relation = affected_persons_relation() -%}
        {%- do drop_relation_if_exists(load_cached_relation(relation)) -%}
        {%- if is_incremental() -%}
            {%- do run_query(
                'create table ' ~ relation ~ ' as\n'
                ~ incremental_affected_persons(history or ref('int_events_sessionized'), watermark_column)
            ) -%}
            {%- do adapter.cache_added(relation) -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
