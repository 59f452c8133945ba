{#- An incremental run's write (materialization event_incremental): `new_rows` (a table of
    the model's columns) replace in `target` the stored rows
    - of the persons being rebuilt, when `persons` (a table of person_id, changed_from) is
      given: this also removes an anonymous person merged into a user, who has no row left to
      insert; with `from_change`, only the persons rebuilt whole (changed_from null), as the
      others' rows from their change on are all re-emitted;
    - whose unique_key is among the new rows (an event whose person changed, or a re-emitted
      row).
    Runs its statements; returns nothing. -#}
{% macro event_incremental_replace_rows(target, new_rows, unique_key, persons=none, from_change=false) -%}
    {{ return(adapter.dispatch('event_incremental_replace_rows', 'behavioral_warehouse')(
        target, new_rows, unique_key, persons, from_change
    )) }}
{%- endmacro %}

{#- DuckDB and Postgres: delete, then insert. Two deletes, not one with `or`: DuckDB plans each
    `in (select ...)` as a hash join, but not their disjunction (at 10M events one delete
    with `or` took 16-20 s). -#}
{% macro default__event_incremental_replace_rows(target, new_rows, unique_key, persons, from_change) -%}
    {%- if persons is not none -%}
        {%- do run_query(
            'delete from ' ~ target ~ ' where person_id in (select person_id from ' ~ persons
            ~ (' where changed_from is null' if from_change else '') ~ ')'
        ) -%}
    {%- endif -%}
    {%- if persons is none or unique_key != 'person_id' -%}
        {%- do run_query(
            'delete from ' ~ target ~ ' where ' ~ unique_key ~ ' in (select ' ~ unique_key
            ~ ' from ' ~ new_rows ~ ')'
        ) -%}
    {%- endif -%}
    {%- set columns = adapter.get_columns_in_relation(target) | map(attribute='quoted') | join(', ') -%}
    {%- do run_query(
        'insert into ' ~ target ~ ' (' ~ columns ~ ')\nselect ' ~ columns ~ ' from ' ~ new_rows
    ) -%}
{%- endmacro %}

{#- Spark: Parquet tables cannot delete rows, so the run rewrites what the replaced rows
    touch. With the model's config partition_by (columns, as dbt-spark reads it), only the
    affected partitions, those that hold a replaced row or receive a new one: their kept rows
    and the new rows are staged in <model>__replaced_rows, affected partitions left without a
    row are dropped, and the staged rows overwrite their partitions (dynamic partition
    overwrite), leaving every other partition's files untouched. Without partition_by the
    whole table is rewritten the same way (a scan and a write, not the model's joins and
    windows). -#}
{% macro spark__event_incremental_replace_rows(target, new_rows, unique_key, persons, from_change) -%}
    {%- set partition_by = config.get('partition_by') or [] -%}
    {%- set partition_by = [partition_by] if partition_by is string else partition_by -%}
    {%- set staged = event_incremental_relation('replaced_rows') -%}
    {%- set affected = event_incremental_relation('affected_partitions') -%}
    {%- set columns = adapter.get_columns_in_relation(target) | map(attribute='quoted') | join(', ') -%}
    {#- (column, select of its values): a stored row is replaced when its column's value is
        among them -#}
    {%- set replaced = [] -%}
    {%- if persons is not none -%}
        {%- do replaced.append(('person_id', 'select person_id from ' ~ persons
            ~ (' where changed_from is null' if from_change else ''))) -%}
    {%- endif -%}
    {%- if persons is none or unique_key != 'person_id' -%}
        {%- do replaced.append((unique_key, 'select ' ~ unique_key ~ ' from ' ~ new_rows)) -%}
    {%- endif -%}
    {%- if partition_by -%}
        {%- set partitions = partition_by | join(', ') -%}
        {%- do drop_relation_if_exists(load_cached_relation(affected)) -%}
        {%- set affected_sql -%}
            select {{ partitions }} from {{ new_rows }}
            {%- for key_column, keys in replaced %}
            union
            select {{ partitions }} from {{ target }}
            where {{ key_column }} in ({{ keys }})
            {%- endfor %}
        {%- endset -%}
        {%- do run_query('create table ' ~ affected ~ ' as ' ~ affected_sql) -%}
        {%- do adapter.cache_added(affected) -%}
    {%- endif -%}
    {%- do drop_relation_if_exists(load_cached_relation(staged)) -%}
    {%- set staged_sql -%}
        select {{ columns }}
        from {{ target }} as stored
        {%- if partition_by %}
        left semi join {{ affected }} as affected
            on {% for column in partition_by -%}
                stored.{{ column }} = affected.{{ column }}{{ ' and ' if not loop.last }}
            {%- endfor %}
        {%- endif %}
        {%- for key_column, keys in replaced %}
        left anti join ({{ keys }}) as replaced_{{ loop.index }}
            on stored.{{ key_column }} = replaced_{{ loop.index }}.{{ key_column }}
        {%- endfor %}
        union all
        select {{ columns }} from {{ new_rows }}
    {%- endset -%}
    {%- do run_query('create table ' ~ staged ~ ' as ' ~ staged_sql) -%}
    {%- do adapter.cache_added(staged) -%}
    {%- if partition_by -%}
        {%- set emptied = run_query(
            'select ' ~ partitions ~ ' from ' ~ affected ~ ' except select ' ~ partitions ~ ' from ' ~ staged
        ) -%}
        {%- for row in emptied.rows -%}
            {%- do run_query('alter table ' ~ target ~ ' drop if exists partition ('
                ~ partition_spec(partition_by, row) ~ ')') -%}
        {%- endfor -%}
        {%- do run_query('set spark.sql.sources.partitionOverwriteMode = dynamic') -%}
        {%- do run_query('insert overwrite table ' ~ target ~ ' partition (' ~ partitions ~ ') select '
            ~ columns ~ ' from ' ~ staged) -%}
        {%- do adapter.drop_relation(affected) -%}
    {%- else -%}
        {%- do run_query('insert overwrite table ' ~ target ~ ' select ' ~ columns ~ ' from ' ~ staged) -%}
    {%- endif -%}
    {%- do adapter.drop_relation(staged) -%}
{%- endmacro %}
