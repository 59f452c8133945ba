{#- The deletes before an incremental insert, as a list of statements: the stored rows of the
    persons being rebuilt (when `persons` is given; this also deletes an anonymous person
    merged into a user, who has no row left to insert; with `from_change`, only the persons
    rebuilt whole, changed_from null: the others' rows from their change on are all
    re-emitted), and those whose unique_key is among the new rows (an event whose person
    changed, or a re-emitted row). Two statements, not one with `or`: DuckDB
    plans each `in (select ...)` as a hash join, but not their disjunction (at 10M events one
    delete with `or` took 16-20 s). -#}
{% macro event_incremental_delete_sql(target, new_rows, unique_key, persons=none, from_change=false) -%}
    {%- set statements = [] -%}
    {%- if persons is not none -%}
        {%- do statements.append(
            'delete from ' ~ target ~ ' where person_id in (select person_id from ' ~ persons
            ~ (' where changed_from is null' if from_change else '') ~ ')'
        ) -%}
    {%- endif -%}
    {%- if persons is none or unique_key != 'person_id' -%}
        {%- do statements.append(
            'delete from ' ~ target ~ ' where ' ~ unique_key ~ ' in (select ' ~ unique_key
            ~ ' from ' ~ new_rows ~ ')'
        ) -%}
    {%- endif -%}
    {{ return(statements) }}
{%- endmacro %}
