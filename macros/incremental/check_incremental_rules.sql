{#- Fails an incremental run of `relation` whose stored rows were built under other rules
    than the current ones, naming each changed rule with its stored and current value; and
    one with no rules recorded (built by a version of this project that did not record
    them, or under another materialization), whose rows cannot be vouched for. -#}
{% macro check_incremental_rules(relation) -%}
    {%- set stored = run_query(
        'select rules from ' ~ incremental_state_relation()
        ~ " where model = '" ~ relation.schema ~ '.' ~ relation.identifier ~ "'"
    ) -%}
    {%- if stored.rows | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            relation ~ " has no record of the rules its rows were built under (built by an"
            ~ " earlier version of this project, or not by the event_incremental"
            ~ " materialization). Rebuild it once with `dbt build --full-refresh`."
        ) }}
    {%- endif -%}
    {%- set stored_rules = fromjson(stored.rows[0][0]) -%}
    {%- set current_rules = fromjson(tojson(incremental_rules())) -%}
    {%- set changes = [] -%}
    {%- for name in (stored_rules.keys() | list + current_rules.keys() | list) | unique | sort -%}
        {%- if stored_rules.get(name) != current_rules.get(name) -%}
            {%- do changes.append(
                name ~ ': ' ~ tojson(stored_rules.get(name)) ~ ' -> ' ~ tojson(current_rules.get(name))
            ) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if changes -%}
        {{ exceptions.raise_compiler_error(
            relation ~ " holds rows built under other rules than this run's ("
            ~ changes | join('; ') ~ "). An incremental run would mix both. Rebuild under"
            ~ " the new rules with `dbt build --full-refresh`, or run with the rules"
            ~ " the warehouse was built under."
        ) }}
    {%- endif -%}
{%- endmacro %}
