{#- Post-hook of the person-keyed incremental marts: deletes the rows of anonymous persons
    whose anonymous_id is now tied to a user (their history moved to the user, whose rows
    the run rewrote). delete+insert deletes only the keys it inserts, and such a person
    has no row left to insert. A full build never has such rows, so it is a no-op there;
    nothing on a non-incremental run. -#}
{% macro delete_merged_persons() -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where person_id in (
            select anonymous_id
            from {{ ref('int_anonymous_ids_stitched') }}
            where is_identified
        )
    {%- endif -%}
{%- endmacro %}
