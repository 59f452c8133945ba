{#- Run at the start of every run (on-run-start). Postgres has no try_cast, so it gets
    small guarded cast functions (one per type try_cast supports there); other engines
    need nothing. -#}
{% macro create_cast_guards() -%}
    {{ return(adapter.dispatch('create_cast_guards', 'behavioral_warehouse')()) }}
{%- endmacro %}

{% macro default__create_cast_guards() -%}
{%- endmacro %}

{% macro postgres__create_cast_guards() -%}
    create schema if not exists {{ target.schema }};
    {%- for type_name, sql_type in cast_guard_types().items() %}
    create or replace function {{ target.schema }}.try_cast_{{ type_name }}(value text)
    returns {{ sql_type }}
    language plpgsql stable
    set timezone = 'UTC'
    as $body$
    begin
        return value::{{ sql_type }};
    exception when others then
        return null;
    end;
    $body$;
    {%- endfor %}
{%- endmacro %}
