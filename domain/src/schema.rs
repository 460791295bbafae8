//! SQL DDL for collections: the table (or view) behind each collection, and the statements
//! that move a stored table from one collection definition to the next. Identifiers come only
//! from validated collection and field names (`^\w+$`), so quoting them is safe.

use crate::collection::Collection;
use crate::collection::index_parts;

/// Quotes an identifier that has already been validated as `^\w+$`.
pub fn ident(name: &str) -> String {
    format!("`{}`", name.replace('`', ""))
}

/// The statements that create a new collection's table (or view) and its indexes.
pub fn create_statements(c: &Collection) -> Vec<String> {
    let mut out = create_table_statements(c);
    out.extend(create_index_statements(c));
    out
}

/// The statement that creates a new collection's table (or view), without indexes.
pub fn create_table_statements(c: &Collection) -> Vec<String> {
    if c.is_view() {
        return vec![format!(
            "CREATE VIEW {} AS {}",
            ident(&c.name),
            c.view_query()
        )];
    }
    let columns: Vec<String> = c
        .fields
        .iter()
        .map(|f| format!("{} {}", ident(&f.name), f.column_definition()))
        .collect();
    vec![format!(
        "CREATE TABLE {} ({})",
        ident(&c.name),
        columns.join(", ")
    )]
}

/// The statements that drop a collection's table (or view).
pub fn drop_statements(c: &Collection) -> Vec<String> {
    if c.is_view() {
        vec![format!("DROP VIEW IF EXISTS {}", ident(&c.name))]
    } else {
        vec![format!("DROP TABLE IF EXISTS {}", ident(&c.name))]
    }
}

/// `CREATE INDEX` statements for `c`'s indexes, normalized to target `c`'s table.
pub fn create_index_statements(c: &Collection) -> Vec<String> {
    c.indexes
        .iter()
        .filter_map(|idx| index_parts(idx))
        .map(|p| {
            format!(
                "CREATE {}INDEX IF NOT EXISTS {} ON {} ({}){}",
                if p.unique { "UNIQUE " } else { "" },
                ident(&p.name),
                ident(&c.name),
                p.columns,
                p.where_clause.map(|w| format!(" {w}")).unwrap_or_default()
            )
        })
        .collect()
}

/// `DROP INDEX` statements for `c`'s indexes.
pub fn drop_index_statements(c: &Collection) -> Vec<String> {
    c.indexes
        .iter()
        .filter_map(|idx| index_parts(idx))
        .map(|p| format!("DROP INDEX IF EXISTS {}", ident(&p.name)))
        .collect()
}

/// The statements that turn `old`'s table into `new`'s, indexes included.
pub fn alter_statements(old: &Collection, new: &Collection) -> Vec<String> {
    let mut out = alter_table_statements(old, new);
    out.extend(create_index_statements(new));
    out
}

/// The statements that turn `old`'s table into `new`'s, leaving `new`'s indexes to
/// [`create_index_statements`]: drop the old indexes, rename the table, drop removed columns,
/// rename renamed ones (through temporary names, so swaps work), add new ones. Views are
/// dropped and recreated.
pub fn alter_table_statements(old: &Collection, new: &Collection) -> Vec<String> {
    if new.is_view() {
        let mut out = drop_statements(old);
        out.extend(create_table_statements(new));
        return out;
    }
    let table = ident(&new.name);
    let mut out = drop_index_statements(old);
    if old.name != new.name {
        out.push(format!(
            "ALTER TABLE {} RENAME TO {}",
            ident(&old.name),
            table
        ));
    }
    for f in &old.fields {
        if new.field_by_id(&f.id).is_none() {
            out.push(format!(
                "ALTER TABLE {table} DROP COLUMN {}",
                ident(&f.name)
            ));
        }
    }
    let renamed: Vec<(&str, &str)> = new
        .fields
        .iter()
        .filter_map(|nf| {
            old.field_by_id(&nf.id)
                .filter(|of| of.name != nf.name)
                .map(|of| (of.name.as_str(), nf.name.as_str()))
        })
        .collect();
    for (from, _) in &renamed {
        out.push(format!(
            "ALTER TABLE {table} RENAME COLUMN {} TO {}",
            ident(from),
            ident(&format!("_basalt_tmp_{from}"))
        ));
    }
    for (from, to) in &renamed {
        out.push(format!(
            "ALTER TABLE {table} RENAME COLUMN {} TO {}",
            ident(&format!("_basalt_tmp_{from}")),
            ident(to)
        ));
    }
    for f in &new.fields {
        if old.field_by_id(&f.id).is_none() {
            out.push(format!(
                "ALTER TABLE {table} ADD COLUMN {} {}",
                ident(&f.name),
                f.column_definition()
            ));
        }
    }
    out
}
