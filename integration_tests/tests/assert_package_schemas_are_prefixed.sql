-- On a target that the package's var unprefixed_schema_targets does not list (this project's
-- target is dev), dbt places the package's models and seeds in <target schema>_<layer>: the
-- package's macro generate_schema_name, which dbt applies to a package's own nodes, and what
-- docs/package.md tells a user. A row per package model or seed placed in any schema other
-- than main_staging, main_intermediate, main_marts, main_reports, main_reference (read from
-- the graph, so the check does not wait for the build).

with

package_relations as (
    {%- for node in graph.nodes.values()
        if node.package_name == 'behavioral_warehouse'
        and node.resource_type in ['model', 'seed'] %}
        select
            '{{ node.alias }}' as relation_name,
            '{{ node.schema }}' as schema_name
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

final as (
    select
        relation_name,
        schema_name
    from package_relations
    where schema_name not in (
        '{{ target.schema }}_staging',
        '{{ target.schema }}_intermediate',
        '{{ target.schema }}_marts',
        '{{ target.schema }}_reports',
        '{{ target.schema }}_reference'
    )
)

select * from final
