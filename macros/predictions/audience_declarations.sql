{#- The audiences of var `audience_triggers`, checked, with their defaults filled in: a list of
    {name, description, kind, window_days, cooldown_days, min_count, and the kind's own keys}.
    A declaration that cannot be read correctly stops the compile with one message naming
    every such audience and everything wrong with it. See macros/_macros.yml. -#}
{% macro audience_declarations() -%}
    {%- set kinds = {
        'event_count': ['event_names'],
        'sequence': ['first_event', 'then_event', 'within_hours'],
        'snapshot': ['condition'],
    } -%}
    {%- set declarations = [] -%}
    {%- set seen = [] -%}
    {%- set errors = [] -%}
    {%- for trigger in var('audience_triggers') or [] -%}
        {%- set name = trigger.get('name') -%}
        {%- set problems = [] -%}
        {%- if not name or name is not string or not modules.re.match('^[a-z][a-z0-9_]*$', name) -%}
            {%- do problems.append('its name must be lower snake case') -%}
        {%- elif name in seen -%}
            {%- do problems.append('the name is declared twice') -%}
        {%- endif -%}
        {%- do seen.append(name) -%}
        {%- set kind = trigger.get('kind') -%}
        {%- if kind not in kinds -%}
            {%- do problems.append('kind must be one of ' ~ kinds.keys() | list | join(', ')) -%}
        {%- else -%}
            {%- for key in kinds[kind] -%}
                {%- if not trigger.get(key) -%}
                    {%- do problems.append('a ' ~ kind ~ ' trigger needs ' ~ key) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
        {%- set event_names = trigger.get('event_names') or [] -%}
        {%- if event_names is string -%}{%- set event_names = [event_names] -%}{%- endif -%}
        {%- for number_key, default, lowest in [
            ('window_days', none, 1), ('cooldown_days', 0, 0), ('min_count', 1, 1),
            ('within_hours', 0, 0)
        ] -%}
            {%- set value = trigger.get(number_key, default) -%}
            {%- if value is none or value is not number or value < lowest or value != value | int -%}
                {%- do problems.append(number_key ~ ' must be a whole number, at least ' ~ lowest) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if trigger.get('negate') and trigger.get('min_count', 1) != 1 -%}
            {%- do problems.append('a negated sequence counts one occurrence: min_count must be 1') -%}
        {%- endif -%}
        {%- if problems -%}
            {%- do errors.append('audience ' ~ (name or '#' ~ loop.index) ~ ': ' ~ problems | join('; ')) -%}
        {%- endif -%}
        {%- do declarations.append({
            'name': name,
            'description': trigger.get('description') or '',
            'kind': kind,
            'event_names': event_names,
            'first_event': trigger.get('first_event'),
            'then_event': trigger.get('then_event'),
            'within_hours': trigger.get('within_hours', 0),
            'negate': trigger.get('negate', false) is true,
            'condition': trigger.get('condition'),
            'min_count': trigger.get('min_count', 1),
            'window_days': trigger.get('window_days'),
            'cooldown_days': trigger.get('cooldown_days', 0),
        }) -%}
    {%- endfor -%}
    {%- if errors -%}
        {{ exceptions.raise_compiler_error('var audience_triggers: ' ~ errors | join('. ')) }}
    {%- endif -%}
    {{ return(declarations) }}
{%- endmacro %}
