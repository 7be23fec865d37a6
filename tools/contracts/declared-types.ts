import { readFileSync } from 'node:fs';
import * as ts from 'typescript';

export interface DeclaredMember {
  optional: boolean;
  type: string;
}

/** What generated TypeScript files declare, read from their source, for the drift tests of both generator targets. */
export interface DeclaredTypes {
  messages: Map<string, Map<string, DeclaredMember>>;
  enums: Map<string, string[]>;
  services: Map<string, Map<string, { request: string; reply: string }>>;
  /** ServiceDefinition constant -> its service type. */
  definitions: Map<string, string>;
}

/** Interfaces, empty messages (`Record<string, never>`), enums (string literal unions), service types and definitions of `files` (absolute paths). */
export function readDeclaredTypes(files: string[]): DeclaredTypes {
  const declared: DeclaredTypes = { messages: new Map(), enums: new Map(), services: new Map(), definitions: new Map() };
  for (const file of files) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    for (const statement of source.statements) {
      if (ts.isInterfaceDeclaration(statement)) {
        const members = statement.members.filter(ts.isPropertySignature).map((member): [string, DeclaredMember] => [
          member.name.getText(source),
          { optional: member.questionToken !== undefined, type: member.type!.getText(source) },
        ]);
        declared.messages.set(statement.name.text, new Map(members));
      } else if (ts.isTypeAliasDeclaration(statement)) {
        const type = statement.type;
        if (ts.isTypeLiteralNode(type)) {
          const methods = type.members.filter(ts.isMethodSignature).map((method): [string, { request: string; reply: string }] => [
            method.name.getText(source),
            { request: method.parameters[0]!.type!.getText(source), reply: (method.type as ts.TypeReferenceNode).typeArguments![0]!.getText(source) },
          ]);
          declared.services.set(statement.name.text, new Map(methods));
        } else if (ts.isUnionTypeNode(type) || ts.isLiteralTypeNode(type)) {
          const literals = ts.isUnionTypeNode(type) ? type.types : [type];
          declared.enums.set(statement.name.text, literals.map((literal) => (ts.isLiteralTypeNode(literal) && ts.isStringLiteral(literal.literal) ? literal.literal.text : literal.getText(source))));
        } else if (type.getText(source) === 'Record<string, never>') {
          declared.messages.set(statement.name.text, new Map());
        }
      } else if (ts.isVariableStatement(statement)) {
        for (const declaration of statement.declarationList.declarations) {
          const type = declaration.type;
          if (type && ts.isTypeReferenceNode(type) && type.typeName.getText(source) === 'ServiceDefinition') {
            declared.definitions.set(declaration.name.getText(source), type.typeArguments![0]!.getText(source));
          }
        }
      }
    }
  }
  return declared;
}
