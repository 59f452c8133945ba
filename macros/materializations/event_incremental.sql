{#- The materialization of every incremental model of the event path (staging to the
    event-, session- and person-day-grain marts): the whole incremental lifecycle in one
    place. README "Incremental runs" and docs/incremental.md tell the why.

    A model declares in its config:
      unique_key            the column that identifies a row (required);
      incremental_strategy  'delete+insert' (default): the select returns the rows that
                            changed since the last run (the model filters them with
                            is_incremental_build() and loaded_since_last_run), and they
                            replace the stored rows of the same key;
                            'affected_persons': the select returns every row of the persons
                            the run must rebuild (the model filters its events with
                            affected_person_events()), and those persons' stored rows are
                            replaced whole;
      affected_persons_from the model whose events tell the affected persons (macro
                            incremental_affected_persons; default int_events_sessionized);
      rebuild_from_change   affected_persons only (default false): the select returns each
                            person's rows from where their earliest change reaches (the
                            model joins build_persons.changed_from; null: the whole
                            history), so the stored rows it re-emits are replaced by
                            unique_key and only persons whose history moved are deleted
                            whole (int_events_sessionized: macro session_rebuild_boundaries);
      person_buckets        affected_persons only (default 1): a full build builds its
                            persons in this many statements (below).

    A run, in order:
      1. On an incremental run, the rules the stored rows were built under (the vars and
         seeds of macro incremental_rules) must equal the current ones, or the run fails
         naming what changed (macro check_incremental_rules): a run must not mix rules.
      2. affected_persons only: the persons to (re)build, each with its person bucket,
         are stored once in <model>__affected_persons: on an incremental run the persons
         with events loaded after the newest loaded_at the last build read (stored with the
         model: the model's own rows cannot tell, as it may keep only some events, clicks or
         funnel steps), each with changed_from, the earliest time a change touches; on a full
         build in person buckets, every person. No affected person: the run writes
         nothing (an empty batch).
      3. Per person bucket (macro person_buckets; one statement on an incremental run and
         for a model that does not set person_buckets), <model>__build_persons holds the
         bucket's persons and their changed_from, which the model's select joins.
         A full build writes every bucket into a new table that then replaces the model; an
         incremental run stores the bucket's rows in <model>__new_rows, deletes the stored
         rows of the bucket's persons (affected_persons; also the rows whose person was merged
         into another, who has no row left to insert; with rebuild_from_change only the
         persons whose history moved) and those of the same unique_key (an event whose person
         changed, or a row re-emitted from a person's change on), then inserts the new rows.
      4. The rules and the newest loaded_at read are stored with the model
         (incremental_state_relation), the helper tables dropped, grants and docs applied,
         and the transaction committed.

    Buckets exist for scale: each statement of a full build sorts (and, at 100M events,
    spills) about 1/person_buckets of the events, for one scan of the input per bucket.
    Sessionization, fct_sessions and fct_person_days set them (var person_buckets): at 100M
    the first two each spilled over 40 GB in a one-statement full build, while page views,
    funnel steps and rage clicks built in one statement (docs/benchmark.md). An incremental
    run builds in one statement (macro person_buckets): its persons are a small share, and
    each bucket would scan the whole input for its part of them. A person's rows depend
    only on the person's own events, so the buckets together give exactly the rows of one
    statement.

    The one step that differs by engine is the incremental write (macro
    event_incremental_replace_rows): DuckDB and Postgres delete and insert; Spark, whose
    Parquet tables cannot delete, overwrites the partitions (config partition_by, macro
    partition_columns) that the replaced and new rows touch. -#}
{% materialization event_incremental, default -%}
    {%- set target_relation = this.incorporate(type='table') -%}
    {%- set existing_relation = load_cached_relation(this) -%}
    {%- set incremental = is_incremental_build() -%}
    {%- set unique_key = config.require('unique_key') -%}
    {%- set strategy = config.get('incremental_strategy') or 'delete+insert' -%}
    {%- if strategy not in ['delete+insert', 'affected_persons'] -%}
        {{ exceptions.raise_compiler_error(
            model.name ~ ": incremental_strategy '" ~ strategy ~ "' is not one of the"
            ~ " event_incremental materialization's: delete+insert, affected_persons"
        ) }}
    {%- endif -%}
    {%- set by_person = strategy == 'affected_persons' -%}
    {%- set from_change = config.get('rebuild_from_change') or false -%}
    {%- if from_change and not by_person -%}
        {{ exceptions.raise_compiler_error(
            model.name ~ ": rebuild_from_change needs incremental_strategy 'affected_persons'"
        ) }}
    {%- endif -%}
    {%- if (config.get('person_buckets') or 1) > 1 and not by_person -%}
        {{ exceptions.raise_compiler_error(
            model.name ~ ": person_buckets needs incremental_strategy 'affected_persons'"
        ) }}
    {%- endif -%}
    {%- set buckets = person_buckets() -%}
    {%- set by_bucket = by_person and (incremental or buckets > 1) -%}

    {%- set intermediate_relation = make_intermediate_relation(target_relation) -%}
    {%- set backup_relation = make_backup_relation(target_relation, 'table') -%}
    {%- set affected_persons = event_incremental_relation('affected_persons') -%}
    {%- set build_persons = build_persons_relation() -%}
    {%- set new_rows = event_incremental_relation('new_rows') -%}
    {#- left over by an interrupted run -#}
    {%- for relation in [intermediate_relation, backup_relation, affected_persons, build_persons, new_rows] -%}
        {%- do drop_relation_if_exists(load_cached_relation(relation)) -%}
    {%- endfor -%}

    {%- if incremental -%}
        {%- do check_incremental_rules(target_relation) -%}
    {%- endif -%}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {%- set bucket_numbers = range(buckets) -%}
    {%- set loaded_until = none -%}
    {%- if by_person -%}
        {%- set history = ref(config.get('affected_persons_from') or 'int_events_sessionized') -%}
        {#- read before the build: what this run covers -#}
        {%- set loaded_until = run_query('select max(loaded_at) from ' ~ history).rows[0][0] -%}
    {%- endif -%}
    {%- if by_bucket -%}
        {%- set persons -%}
            {%- if incremental -%}
                {{ incremental_affected_persons(
                    history, stored_loaded_until(target_relation), target_relation if from_change else none
                ) }}
            {%- else -%}
                select distinct
                    person_id,
                    cast(null as {{ dbt.type_timestamp() }}) as changed_from
                from {{ history }}
            {%- endif -%}
        {%- endset -%}
        {#- stored, not inline: one md5 per person, and an exact row count, so the model's
            join hashes the persons, not the events (inline, DuckDB estimated over a billion
            affected persons at 100M events and hashed every event) -#}
        {%- do run_query(
            'create table ' ~ affected_persons ~ ' as select person_id, changed_from, '
            ~ person_bucket_number('md5(person_id)', buckets) ~ ' as person_bucket'
            ~ ' from (' ~ persons ~ ') as persons'
        ) -%}
        {%- do adapter.cache_added(affected_persons) -%}
        {%- set bucket_numbers = run_query(
            'select distinct person_bucket from ' ~ affected_persons ~ ' order by 1'
        ).columns[0].values() | list -%}
        {%- if not incremental and bucket_numbers | length == 0 -%}
            {%- set bucket_numbers = [0] -%}
        {%- endif -%}
    {%- endif -%}

    {#- the columns the buckets insert (a dict: a set inside a loop ends with the iteration) -#}
    {%- set insert = {'columns': none} -%}
    {%- for bucket in bucket_numbers -%}
        {%- if by_bucket -%}
            {%- do drop_relation_if_exists(load_cached_relation(build_persons)) -%}
            {%- do run_query(
                'create table ' ~ build_persons ~ ' as select person_id, changed_from from '
                ~ affected_persons
                ~ ' where person_bucket = ' ~ bucket
            ) -%}
            {%- do adapter.cache_added(build_persons) -%}
        {%- endif -%}
        {%- if not incremental and loop.first -%}
            {%- do run_query(get_create_table_as_sql(False, intermediate_relation, compiled_code)) -%}
            {%- do insert.update({'columns': adapter.get_columns_in_relation(intermediate_relation)
                | map(attribute='quoted') | join(', ')}) -%}
        {%- elif not incremental -%}
            {%- do run_query(
                'insert into ' ~ intermediate_relation ~ ' (' ~ insert.columns ~ ')\nselect '
                ~ insert.columns ~ ' from (\n' ~ compiled_code ~ '\n) as bucket_rows'
            ) -%}
        {%- else -%}
            {%- do run_query('create table ' ~ new_rows ~ ' as\n' ~ compiled_code) -%}
            {%- do adapter.cache_added(new_rows) -%}
            {%- do event_incremental_replace_rows(
                target_relation, new_rows, unique_key, build_persons if by_person else none, from_change
            ) -%}
            {%- do adapter.drop_relation(new_rows) -%}
        {%- endif -%}
    {%- endfor -%}

    {%- if not incremental -%}
        {%- if existing_relation is not none -%}
            {%- do adapter.rename_relation(existing_relation, backup_relation) -%}
        {%- endif -%}
        {%- do adapter.rename_relation(intermediate_relation, target_relation) -%}
    {%- endif -%}
    {%- do store_incremental_state(target_relation, loaded_until) -%}

    {#- dbt requires a statement named main; the work above ran in several -#}
    {%- call statement('main') -%}
        select 1 as event_incremental_built
    {%- endcall -%}

    {%- for relation in [backup_relation, affected_persons, build_persons] -%}
        {%- do drop_relation_if_exists(load_cached_relation(relation)) -%}
    {%- endfor -%}
    {%- do apply_grants(target_relation, config.get('grants'), should_revoke(existing_relation, not incremental)) -%}
    {%- do persist_docs(target_relation, model) -%}
    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {%- do adapter.commit() -%}
    {{ run_hooks(post_hooks, inside_transaction=False) }}
    {{ return({'relations': [target_relation]}) }}
{%- endmaterialization %}
